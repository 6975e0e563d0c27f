#!/usr/bin/env bash
# The hub's CPU and context switches with nothing connected: what its timers and background work cost a node.
# usage: bench/tools/idle-cpu.sh PUBLISH_DIR [SECONDS=60] [SETTLE=30]
#   PUBLISH_DIR: a `dotnet publish Hub.Server -c Release -o PUBLISH_DIR` of the tree to measure.
# Starts a redis-server and the hub (Development, no demo, from PUBLISH_DIR) on free loopback ports, publishes 50 events and reads
# /health/live 50 times so the publishing path has run, waits SETTLE seconds, then reads the hub's user+system
# time (/proc/<pid>/stat, 10 ms ticks) and its threads' context switches over SECONDS and prints one line.
# With TIMERS=1 it also lists the hub's timers (dotnet-dump's timerinfo; dotnet-dump is a NuGet tool).
set -euo pipefail
dir=$(cd "$1" && pwd); seconds=${2:-60}; settle=${3:-30}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
timeout $((seconds + settle + 120)) redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >/dev/null &
redis=$!
# Started from its publish directory, as an operator does, so the shipped appsettings.json applies.
(cd "$dir" && exec env ASPNETCORE_ENVIRONMENT=Development DOTNET_gcServer=0 Logging__LogLevel__Default=Warning \
  Demo__Enabled=false Redis__ConnectionString="127.0.0.1:$redis_port" timeout $((seconds + settle + 120)) \
  dotnet "$dir/Hub.Server.dll" --urls "http://127.0.0.1:$port") >/dev/null 2>&1 &
wrapper=$!
trap 'kill $wrapper $redis 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$port/health/live" >/dev/null; do sleep 0.5; done
hub=$(pgrep -P "$wrapper" dotnet)
for i in $(seq 1 50); do
  curl -sf -X POST -H 'content-type: application/json' -d '{"type":"progress","data":{"poId":"p","message":"m"}}' \
    "http://127.0.0.1:$port/api/topics/merchant:idle$((i % 5))/events" >/dev/null
  curl -sf "http://127.0.0.1:$port/health/live" >/dev/null
done
sleep "$settle"
ticks() { awk '{print $14 + $15}' "/proc/$hub/stat"; }
switches() { cat /proc/"$hub"/task/*/status 2>/dev/null | awk '/^(non)?voluntary_ctxt_switches/ { s += $2 } END { print s }'; }
t0=$(ticks); s0=$(switches); sleep "$seconds"; t1=$(ticks); s1=$(switches)
echo "$(basename "$dir"): $(echo "scale=2; ($t1 - $t0) / $seconds" | bc) % of a core, $(( (s1 - s0) / seconds )) context switches/s (live threads), over ${seconds} s after ${settle} s"
if [ "${TIMERS:-0}" = 1 ]; then
  dump=$(mktemp -u /tmp/hub-idle-XXXX.dmp)
  ~/.dotnet/tools/dotnet-dump collect -p "$hub" -o "$dump" --type Heap >/dev/null
  ~/.dotnet/tools/dotnet-dump analyze "$dump" -c timerinfo -c exit | grep -E '^ +[0-9]+ \|'
  rm -f "$dump"
fi
