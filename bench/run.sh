#!/usr/bin/env bash
# The benchmark: starts private RabbitMQ and Redis on loopback (stopped at exit), builds in Release,
# and runs every scenario against its raw baseline in one process. Prints Markdown; a copy goes to
# .run/bench/latest.md. `--quick` runs smaller numbers (about a minute). It stops by itself.
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
mkdir -p .run/bench
dotnet bench/Bench/bin/Release/net10.0/Webhooks.Bench.dll \
  --rabbitmq "amqp://guest:guest@127.0.0.1:$AMQP_PORT/" --redis "127.0.0.1:$REDIS_PORT" "$@" | tee .run/bench/latest.md
