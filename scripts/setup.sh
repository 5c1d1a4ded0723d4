#!/usr/bin/env bash
# Idempotent setup for mlmon: installs what is missing, then builds.
#   - the upstream Prometheus programs from Debian's packages (apt-get update
#     runs only when a package is missing)
#   - the npm dependencies (npm ci, only when package-lock.json changed)
#   - the TypeScript build (incremental)
# A second run with everything present changes nothing and takes seconds.
# Usage: bash scripts/setup.sh [--quiet]
set -euo pipefail

quiet=0
[ "${1:-}" = "--quiet" ] && quiet=1
say() { printf "setup: %s\n" "$*"; }
info() { [ "$quiet" = 1 ] || printf "setup: %s\n" "$*"; }
fail() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }
# Prints a here-document to stderr with builtins only (works on a bare PATH).
stderr_block() { local line; while IFS= read -r line; do printf '%s\n' "$line" >&2; done; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# Debian package -> one program it provides (checked on PATH).
packages=(prometheus prometheus-alertmanager prometheus-node-exporter prometheus-blackbox-exporter prometheus-pushgateway victoria-metrics chromium busybox)
declare -A program=(
  [prometheus]=promtool
  [prometheus-alertmanager]=amtool
  [prometheus-node-exporter]=prometheus-node-exporter
  [prometheus-blackbox-exporter]=prometheus-blackbox-exporter
  [prometheus-pushgateway]=prometheus-pushgateway
  [victoria-metrics]=victoria-metrics
  [chromium]=chromium
  [busybox]=busybox
)
# Upstream binary names, accepted when the programs come from elsewhere (tarballs, Homebrew).
declare -A upstream=(
  [prometheus]=prometheus
  [prometheus-alertmanager]=alertmanager
  [prometheus-node-exporter]=node_exporter
  [prometheus-blackbox-exporter]=blackbox_exporter
  [prometheus-pushgateway]=pushgateway
  [victoria-metrics]=victoria-metrics-prod
  [chromium]=chromium
  [busybox]=busybox
)

missing=()
for p in "${packages[@]}"; do
  if command -v "${program[$p]}" >/dev/null 2>&1; then continue; fi
  if command -v "${upstream[$p]}" >/dev/null 2>&1; then continue; fi
  missing+=("$p")
done

# The worked example examples/fastapi-service (and its end-to-end test) runs on
# Debian's Python with Debian's packages: Debian package -> module it provides.
python=${MLMON_PYTHON:-/usr/bin/python3}
declare -A pymodule=(
  [python3-fastapi]=fastapi
  [python3-uvicorn]=uvicorn
  [python3-sklearn]=sklearn
  [python3-prometheus-client]=prometheus_client
  [python3-yaml]=yaml
)
# python3-yaml: a YAML 1.1 reader (PyYAML, as Ansible uses) that every generated YAML file must satisfy.
for p in python3-fastapi python3-uvicorn python3-sklearn python3-prometheus-client python3-yaml; do
  if [ -x "$python" ] && "$python" -c "import ${pymodule[$p]}" >/dev/null 2>&1; then continue; fi
  missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  os=$(uname -s)
  if [ "$os" = Darwin ]; then
    stderr_block <<MSG
setup: error: missing programs: ${missing[*]}
mlmon cannot install them on macOS for you. Run:
  brew install prometheus alertmanager node_exporter blackbox_exporter pushgateway victoriametrics
  brew install --cask chromium      # only for the console's browser tests
  pip3 install fastapi uvicorn scikit-learn prometheus-client pyyaml   # only for examples/fastapi-service and the YAML 1.1 check
then run this script again.
MSG
    exit 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    stderr_block <<MSG
setup: error: missing programs: ${missing[*]}
This machine has no apt-get. Install Prometheus, Alertmanager (with amtool), node exporter,
blackbox exporter and Pushgateway with your package manager or from the release tarballs,
put them on PATH (names: prometheus promtool alertmanager amtool node_exporter
blackbox_exporter pushgateway), then run this script again.
MSG
    exit 1
  fi
  if [ "$(id -u)" != 0 ]; then
    stderr_block <<MSG
setup: error: missing Debian packages: ${missing[*]}
Installing them needs root. Run:
  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}
then run this script (or npm start / npm test) again.
MSG
    exit 1
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || fail "apt-get update failed; check the package sources and try again"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || fail "apt-get install ${missing[*]} failed (see the messages above)"
  # The packages enable system services on the same default ports as mlmon's own
  # stack. mlmon supervises its own copies, so stop the services that this run
  # installed, where systemd runs them.
  if command -v systemctl >/dev/null 2>&1 && systemctl is-system-running >/dev/null 2>&1; then
    for p in "${missing[@]}"; do
      if systemctl list-unit-files "$p.service" >/dev/null 2>&1; then
        systemctl disable --now "$p.service" >/dev/null 2>&1 && say "stopped and disabled the system service $p (mlmon runs its own)"
      fi
    done
  fi
else
  info "Prometheus programs: present"
fi

command -v node >/dev/null 2>&1 || fail "node is not on PATH; install Node.js 20 or newer"
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || fail "Node.js $(node -v) is too old; mlmon needs Node.js 20 or newer"

# npm ci only when the lock file changed since the last install.
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.mlmon-lock.sha256
if [ -d node_modules ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_sum" ]; then
  info "npm dependencies: present"
else
  say "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null || fail "npm ci failed (see the messages above)"
  echo "$lock_sum" > "$stamp"
fi

# Incremental TypeScript build, every time: seconds when nothing changed, and a
# type error stops here (noEmitOnError) instead of leaving old JavaScript behind.
# Two programs: the Node code, and the console's page scripts for the browser.
info "building (tsc)"
npx --no-install tsc -p tsconfig.json || fail "TypeScript build failed (see the errors above)"
npx --no-install tsc -p tsconfig.browser.json || fail "TypeScript build of the console's page scripts failed (see the errors above)"
info "ready"
