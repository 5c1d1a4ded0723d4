#!/usr/bin/env bash
# Injects real faults into a stack and checks the right notifications arrive:
# runs `mlmon test-alerts` with the arguments given, building first when the
# compiled tree is missing or older than the sources.
#   bash scripts/test-alerts.sh --all --start       # own test-profile stack, every scenario
#   bash scripts/test-alerts.sh drift --data-dir data
#   bash scripts/test-alerts.sh --measure-outage    # production profile, ~65 minutes
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
marker=dist/src/alerttest/cli.js
if [ ! -f "$marker" ] || [ -n "$(find src bin -newer "$marker" -name '*.ts' -print -quit)" ]; then
  echo "test-alerts: building (npx tsc)" >&2
  # tsc emits even when another part of the tree has type errors; the run says what broke.
  npx tsc -p tsconfig.json >&2 || echo "test-alerts: the build reported errors (see above); running anyway" >&2
fi
exec node bin/mlmon.js test-alerts "$@"
