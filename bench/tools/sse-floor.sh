#!/usr/bin/env bash
# The memory of an idle SSE stream before any hub code: Hub.Bench's idle scenario against bench/tools/bare-kestrel,
# whose GET /api/sse writes its retry: line and waits. Compare with the hub's own figure from the same command.
# usage (from the project root): bench/tools/sse-floor.sh [bare|standard] [Hub.Bench arguments...]
#   bare:     Kestrel and the endpoint alone.
#   standard: the same behind the middleware the hub runs on every request (bare-kestrel's PIPELINE=standard).
# e.g. bench/tools/sse-floor.sh standard --sse 10000 --ws 0 --redis start
# Hub.Bench starts the server it finds in a repository's Hub.Server/bin/Release/net10.0, so bare-kestrel is built
# into a throwaway tree of that shape (named Hub.Server) and the bench is pointed at it with --repo and --no-build.
set -euo pipefail
pipeline=${1:-bare}; shift || true
tree=$(mktemp -d /tmp/sse-floor-XXXX)
trap 'rm -rf "$tree"' EXIT
touch "$tree/RealtimeHub.sln"
dotnet build -c Release bench/tools/bare-kestrel -p:AssemblyName=Hub.Server -o "$tree/Hub.Server/bin/Release/net10.0" >/dev/null
PIPELINE=$pipeline dotnet run --project bench/Hub.Bench -c Release -- --scenario idle \
  --repo "$tree" --no-build --source "bare-kestrel ($pipeline)" "$@"
