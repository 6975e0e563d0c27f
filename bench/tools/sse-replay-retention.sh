#!/usr/bin/env bash
# What resumed SSE streams keep on the hub's heap: publishes 1,000 events to one topic, opens N streams that
# resume after the first (999 events of replay each), and dumps the hub's heap once they wait for live events.
# usage (from the project root, redis-server and dotnet-gcdump installed):
#   dotnet build Hub.Server -c Release && bench/tools/sse-replay-retention.sh [N=100]
# Prints the live heap and the replay's types still alive (BENCHMARKS.md, "A resumed SSE stream kept its whole replay").
set -euo pipefail
n=${1:-100}
build=$(pwd)/Hub.Server/bin/Release/net10.0
gcdump=$(command -v dotnet-gcdump || echo "$HOME/.dotnet/tools/dotnet-gcdump")
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rport=$(free_port); hport=$(free_port)
out=$(mktemp -d)
redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no >/dev/null 2>&1 & rpid=$!
(cd "$build" && exec env ASPNETCORE_ENVIRONMENT=Development Demo__Enabled=false Logging__LogLevel__Default=Warning \
  Redis__ConnectionString=127.0.0.1:$rport Limits__PublishPerSecond=1000000 Limits__PublishBurst=1000000 \
  Limits__ConnectionsPerSecond=1000000 Limits__ConnectionsBurst=1000000 Limits__MaxConnectionsPerUser=1000000 \
  dotnet Hub.Server.dll --urls "http://127.0.0.1:$hport" >"$out/hub.log" 2>&1) & hpid=$!
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$out"' EXIT
until curl -sf "http://127.0.0.1:$hport/health/live" >/dev/null; do sleep 0.5; done
topic=merchant:replay-retention
first=$(python3 - "$hport" "$topic" <<'PY'
import json, sys, urllib.request
port, topic = sys.argv[1], sys.argv[2]
first = None
for batch in range(2):
    items = [{"topic": topic, "type": "progress",
              "data": {"poId": "p", "workflowId": "w", "stage": "s", "progress": i % 100, "message": "m" * 200, "n": i}}
             for i in range(500)]
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/events", data=json.dumps(items).encode(),
                                     headers={"content-type": "application/json"})
    ids = json.load(urllib.request.urlopen(request))["ids"]
    first = first or ids[0]
print(first)
PY
)
for _ in $(seq 1 "$n"); do curl -sN -H "Last-Event-ID: $first" "http://127.0.0.1:$hport/api/sse?topic=$topic" >/dev/null 2>&1 & done
sleep 15
echo "$n streams resumed after $first; hub sockets: $(ls -l /proc/$hpid/fd | grep -c socket)"
"$gcdump" collect -p "$hpid" -o "$out/heap.gcdump" >/dev/null
"$gcdump" report "$out/heap.gcdump" | head -3
"$gcdump" report "$out/heap.gcdump" | grep -E ' (RealtimeHub\.Contracts\.Events\.EventEnvelope|System\.Text\.Json\.JsonDocument) ' || echo "no EventEnvelope or JsonDocument alive"
