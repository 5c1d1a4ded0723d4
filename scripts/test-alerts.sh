#!/usr/bin/env bash
# Injects real faults into a stack and checks the right notifications arrive:
# runs `mlmon test-alerts` with the arguments given, after the idempotent setup
# (which builds incrementally: seconds when nothing changed).
#   bash scripts/test-alerts.sh --all --start       # own test-profile stack, every scenario
#   bash scripts/test-alerts.sh drift --data-dir data
#   bash scripts/test-alerts.sh --measure-outage    # production profile, ~65 minutes
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash scripts/ensure.sh >&2
exec node bin/mlmon.js test-alerts "$@"
