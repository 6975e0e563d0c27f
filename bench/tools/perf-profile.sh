#!/usr/bin/env bash
# Records where the hub's CPU goes during a peers comparison, with Linux perf (CPU samples only, kernel included).
# usage (from the project root, as root, perf installed):
#   bench/tools/perf-profile.sh OUT.data [SECONDS=10] [DELAY=8] [MIN_SOCKETS=1000] -- COMMAND...
# e.g. bench/tools/perf-profile.sh /tmp/hub.data 10 8 1000 -- env BARE=0 FLOOR=0 ../shared/peers/run.sh fanout 1000 20 200 15
# Runs COMMAND with the hub's JIT-compiled frames made readable to perf (perf map, no W^X double mapping,
# no precompiled framework code), waits until the hub (Hub.Server.dll) holds MIN_SOCKETS sockets, then DELAY
# seconds (so the sample falls in the measured window), and samples it for SECONDS at 499 Hz.
# Then: perf script -i OUT.data -F comm,tid,ip,sym > OUT.txt && python3 bench/tools/perf-shares.py OUT.txt
set -euo pipefail
out=$1; seconds=${2:-10}; delay=${3:-8}; min=${4:-1000}
shift 4; [ "${1:-}" = "--" ] && shift
(
  pid=""
  while [ -z "$pid" ]; do pid=$(pgrep -f 'Hub.Server.dll' | head -1 || true); sleep 0.5; done
  until [ "$(ls -l /proc/$pid/fd 2>/dev/null | grep -c socket)" -ge "$min" ]; do sleep 0.5; done
  sleep "$delay"
  perf record -F 499 -g -p "$pid" -o "$out" -- sleep "$seconds" >/dev/null 2>&1
  echo "perf: $out (hub pid $pid)" >&2
) &
recorder=$!
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_ReadyToRun=0 "$@"
wait $recorder
