#!/usr/bin/env bash
# Runs the deployment topology on loopback: one redis-server, N hub nodes (the Release publish
# output, in Production with auth on) and nginx with deploy/nginx/realtimehub.conf in front.
#
#   deploy/local-cluster.sh [--nodes N] [--keep SECONDS] [--check]
#                           [--upstreams "HOST:PORT ..."] [--nginx-workers N] [--worker-connections N]
#
# Without --check it prints the addresses and keeps the cluster up for --keep seconds (default 600).
# With --upstreams it starts only nginx, in front of hub nodes that already run (Hub.Bench --balancer).
# nginx runs --nginx-workers worker processes (1), each allowed --worker-connections connections (4096)
# and that many open files plus a few; a proxied connection takes two of them (client and upstream), and
# one process may open at most the hard open-file limit (ulimit -Hn), so many connections need many workers.
# With --check it proves the topology and exits: an SSE stream opened through nginx receives events
# published on every node; one node is killed; the stream reconnects through nginx with its last id
# and receives everything published after the kill, exactly once, in order.
# Every process ends by itself (timeout) and is stopped by its pid on exit.
set -euo pipefail

nodes=3
keep=600
check=false
upstreams=""
nginx_workers=1
worker_connections=4096
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    --check) check=true; shift ;;
    --upstreams) upstreams="$2"; shift 2 ;;
    --nginx-workers) nginx_workers="$2"; shift 2 ;;
    --worker-connections) worker_connections="$2"; shift 2 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/realtimehub-cluster.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for tool in redis-server nginx curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install -y redis-server nginx-light curl python3)" >&2; exit 1; }
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
wait_for() { # url, what
  for _ in $(seq 1 150); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done
  echo "$2 did not come up ($1)" >&2; exit 1
}

hard_nofile="$(ulimit -Hn)"
worker_nofile=$((worker_connections + 64))
if [ "$hard_nofile" != unlimited ] && [ "$worker_nofile" -gt "$hard_nofile" ]; then
  echo "--worker-connections $worker_connections needs $worker_nofile open files per nginx worker; the hard limit is $hard_nofile: use more --nginx-workers" >&2
  exit 2
fi
if [ -n "$upstreams" ] && $check; then
  echo "--check starts its own nodes; it does not go with --upstreams" >&2
  exit 2
fi

node_ports=()
if [ -z "$upstreams" ]; then
echo "building Hub.Server (Release)..."
if ! dotnet publish "$root/Hub.Server" -c Release -o "$work/hub" --nologo >"$work/publish.log" 2>&1; then
  cat "$work/publish.log" >&2
  exit 1
fi

redis_port="$(free_port)"
timeout "$keep" redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >"$work/redis.log" 2>&1 &
pids+=("$!")

signing_key="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
api_key="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
for i in $(seq 1 "$nodes"); do
  port="$(free_port)"
  node_ports+=("$port")
  ASPNETCORE_ENVIRONMENT=Production \
  Redis__ConnectionString="127.0.0.1:$redis_port" \
  Auth__SigningKey="$signing_key" \
  Auth__ApiKeys__0="$api_key" \
    timeout "$keep" dotnet "$work/hub/Hub.Server.dll" --urls "http://127.0.0.1:$port" >"$work/node$i.log" 2>&1 &
  pids+=("$!")
done
fi

lb_port="$(free_port)"
mkdir -p "$work/nginx/realtimehub" "$work/nginx/logs"
cp "$root/deploy/nginx/realtimehub.conf" "$work/nginx/realtimehub.conf"
# reuseport: the kernel spreads new connections evenly over the workers, each with a socket of its own.
echo "listen 127.0.0.1:$lb_port reuseport;" >"$work/nginx/realtimehub/listen.conf"
if [ -n "$upstreams" ]; then
  for upstream in $upstreams; do echo "server $upstream max_fails=1 fail_timeout=5s;"; done
else
  for port in "${node_ports[@]}"; do echo "server 127.0.0.1:$port max_fails=1 fail_timeout=5s;"; done
fi >"$work/nginx/realtimehub/upstreams.conf"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes $nginx_workers;
worker_rlimit_nofile $worker_nofile;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections $worker_connections; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  include realtimehub.conf;
}
CONF
timeout "$keep" nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
pids+=("$!")

for port in "${node_ports[@]}"; do wait_for "http://127.0.0.1:$port/health/ready" "hub node on $port"; done
lb="http://127.0.0.1:$lb_port"
wait_for "$lb/health/ready" "nginx"
if [ -n "$upstreams" ]; then
  echo "load balancer $lb in front of $upstreams; $nginx_workers workers x $worker_connections connections"
else
  echo "redis 127.0.0.1:$redis_port; nodes ${node_ports[*]}; load balancer $lb; X-Api-Key $api_key"
fi

if ! $check; then
  echo "up for $keep s; Ctrl+C stops it"
  wait
  exit 0
fi

publish() { # base url, batch id, percent -> prints the id
  curl -fsS -X POST "$1/api/topics/batch:$2/events" -H "X-Api-Key: $api_key" -H 'Content-Type: application/json' \
    -d "{\"type\":\"batch.progress\",\"data\":{\"stage\":\"processing_sheets\",\"progress_percentage\":$3}}" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])'
}
ids_in() { grep -a '^id: ' "$1" | cut -c5- | tr -d '\r' || true; }
stream() { # last id, output file: an SSE reader through nginx, in the background
  curl -sN "$lb/api/batches/$batch/stream" -H "X-Api-Key: $api_key" ${1:+-H "Last-Event-ID: $1"} >"$2" &
  pids+=("$!")
  reader="$!"
}
wait_ids() { # file, count
  for _ in $(seq 1 100); do [ "$(ids_in "$1" | wc -l)" -ge "$2" ] && return 0; sleep 0.1; done
  echo "FAILED: $1 holds $(ids_in "$1" | wc -l) of $2 events" >&2; exit 1
}

batch="cluster-check-$$"
published=()
stream "" "$work/before.sse"
published+=("$(publish "$lb" "$batch" 1)")
wait_ids "$work/before.sse" 1
for i in $(seq 1 "$nodes"); do published+=("$(publish "http://127.0.0.1:${node_ports[$((i-1))]}" "$batch" $((i + 1)))"); done
wait_ids "$work/before.sse" "${#published[@]}"
echo "before the kill: the stream through nginx got ${#published[@]} events published on ${nodes} nodes"

kill "${pids[1]}"
echo "killed node 1 (port ${node_ports[0]})"
kill "$reader" 2>/dev/null || true
last="$(ids_in "$work/before.sse" | tail -n 1)"
after=()
for i in $(seq 1 20); do after+=("$(publish "$lb" "$batch" $((10 + i)))"); done
stream "$last" "$work/after.sse"
wait_ids "$work/after.sse" "${#after[@]}"
got="$(ids_in "$work/after.sse")"
if [ "$got" != "$(printf '%s\n' "${after[@]}")" ]; then
  echo "FAILED: after the kill the stream got:" >&2; echo "$got" >&2; exit 1
fi
echo "after the kill: the stream resumed through nginx with all ${#after[@]} later events, once each, in order"
echo "cluster check: OK"
