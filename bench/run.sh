#!/usr/bin/env bash
# The benchmark: starts private RabbitMQ and Redis on loopback (stopped at exit), builds in Release,
# and runs every scenario against its baselines (a bare one-hop pipeline, raw POSTs); the headline runs
# the hosts, the bare pipeline and the receiver as processes of their own (bench/README.md).
# Prints Markdown and writes JSON: a full run to bench/results/latest.{md,json} (committed), any
# other (`--quick`: smaller numbers; `--only NAME`) to .run/bench/. It stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/servers.sh

ensure_server_packages
dir=$(mktemp -d /tmp/webhooks-bench.XXXXXX)
trap 'stop_servers "$dir"; rm -rf "$dir"' EXIT
pick_ports 5700 6400
echo "Starting private RabbitMQ (:$AMQP_PORT) and Redis (:$REDIS_PORT) in $dir" >&2
start_servers "$dir" "$AMQP_PORT" "$MANAGEMENT_PORT" "$REDIS_PORT"

dotnet build bench/Bench -c Release -v q -nologo >&2
# A full run of every scenario is the one kept in the repository (bench/results/); others go to .run/bench/.
out=.run/bench
if [ $# -eq 0 ]; then out=bench/results; fi
mkdir -p "$out"
dotnet bench/Bench/bin/Release/net10.0/Webhooks.Bench.dll \
  --rabbitmq "amqp://guest:guest@127.0.0.1:$AMQP_PORT/" --redis "127.0.0.1:$REDIS_PORT" --json "$out/latest.json" "$@" | tee "$out/latest.md"
