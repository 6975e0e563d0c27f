#!/usr/bin/env bash
# The one test command. Installs what the tests need when it is missing (redis-server and
# redis-sentinel, Debian's chromium, nginx for the local cluster check, promtool from Debian's
# prometheus for the alerting rules, the browser harness's npm packages), then runs every test in the
# solution with TRX results in artifacts/test-results. Extra arguments go to `dotnet test` (e.g. --filter Name~Sse).
# It never starts a redis-server or sentinel: the test fixtures start their own on free ports.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

RESULTS_DIR=artifacts/test-results
BROWSER_DIR=Hub.Tests/Browser

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "test.sh: root or sudo is needed to run: $*" >&2
    return 1
  fi
}

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v redis-sentinel >/dev/null 2>&1 || missing+=(redis-sentinel)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v nginx >/dev/null 2>&1 || missing+=(nginx-light)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}"
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

if [ ! -d "$BROWSER_DIR/node_modules/playwright-core" ]; then
  echo "test.sh: installing the browser harness's npm packages"
  if [ -f "$BROWSER_DIR/package-lock.json" ]; then
    (cd "$BROWSER_DIR" && npm ci --no-audit --no-fund)
  else
    (cd "$BROWSER_DIR" && npm install --no-audit --no-fund)
  fi
fi

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
rm -rf "$RESULTS_DIR"
exec dotnet test RealtimeHub.sln \
  --logger "trx;LogFilePrefix=results" \
  --results-directory "$RESULTS_DIR" \
  "$@"
