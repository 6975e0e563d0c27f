#!/usr/bin/env bash
# The hub alone under the peers' fan-out load (hub-fanout.mjs), against a Release publish of a tree: for
# alternating before/after runs of two trees without the peers. Ratios to the floor and the peers come only
# from ../shared/peers/run.sh, whose harness this one follows.
# usage (from the project root): bench/tools/hub-fanout.sh PUBLISH_DIR [clients topics publishesPerSecond seconds]
#   PUBLISH_DIR: a `dotnet publish Hub.Server -c Release -o PUBLISH_DIR` of the tree to measure.
# Needs node, npm and redis-server; works in the peers' work folder (shared/ is read-only), as run.sh does.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
peers=$(cd "$here/../../../shared/peers" && pwd)
dir=$(cd "$1" && pwd)
shift
work=${PEERS_WORK:-${TMPDIR:-/tmp}/realtimehub-peers}
mkdir -p "$work"
cp -r "$peers"/. "$work"/
cp "$here/hub-fanout.mjs" "$work"/
chmod -R u+w "$work"
cd "$work"
[ -d node_modules/@microsoft/signalr ] || npm install --no-audit --no-fund >/dev/null
exec env HUB_DIR="$dir" node hub-fanout.mjs "$@"
