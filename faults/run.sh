#!/usr/bin/env bash
# The fault suite (docs/reliability.md): starts a private single-node RabbitMQ with Redis and a private
# three-node RabbitMQ cluster on loopback (all stopped at exit), builds in Release, and runs every
# scenario: events through Ingest under steady load while a fault strikes, then every one classified
# as delivered, dead-lettered or lost. Writes the table into docs/reliability.md and .run/faults/;
# fails when anything accepted was lost. `--only NAME` runs one scenario. It stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/servers.sh

ensure_server_packages
dir=$(mktemp -d /tmp/webhooks-faults.XXXXXX)
export WEBHOOKS_FAULTS_DIR=$dir
# Whatever becomes of the suite, its host processes (written to hosts.pids as they start) go too.
trap '{ [ -f "$dir/hosts.pids" ] && xargs -r kill -9 <"$dir/hosts.pids"; } 2>/dev/null || true
  kill -CONT "$(cat "$dir/single/redis/pid" 2>/dev/null)" 2>/dev/null || true
  stop_servers "$dir/single"; stop_servers "$dir/cluster"; rm -rf "$dir"' EXIT

pick_ports 5900 6500
single_amqp=$AMQP_PORT single_mgmt=$MANAGEMENT_PORT
export WEBHOOKS_FAULTS_REDIS_PORT=$REDIS_PORT
pick_ports $((single_amqp + 1)) $((REDIS_PORT + 1)) 3
cluster_amqp=$AMQP_PORT
echo "Starting private RabbitMQ (:$single_amqp), Redis (:$WEBHOOKS_FAULTS_REDIS_PORT) and a three-node RabbitMQ cluster (:$cluster_amqp-$((cluster_amqp + 2))) in $dir" >&2
start_servers "$dir/single" "$single_amqp" "$single_mgmt" "$WEBHOOKS_FAULTS_REDIS_PORT"
start_rabbitmq_cluster "$dir/cluster" 3 "$cluster_amqp"

dotnet build faults/Faults -c Release -v q -nologo >&2
mkdir -p .run/faults
table=docs/reliability.md
if [ $# -gt 0 ]; then table=; fi
dotnet faults/Faults/bin/Release/net10.0/Webhooks.Faults.dll \
  --broker "amqp://guest:guest@127.0.0.1:$single_amqp/" --broker-management "http://127.0.0.1:$single_mgmt" \
  --cluster "amqp://guest:guest@127.0.0.1:$cluster_amqp,127.0.0.1:$((cluster_amqp + 1)),127.0.0.1:$((cluster_amqp + 2))/" \
  --cluster-management "http://127.0.0.1:$((cluster_amqp + 10001))" \
  --redis "127.0.0.1:$WEBHOOKS_FAULTS_REDIS_PORT" --control faults/control.sh \
  ${table:+--table "$table"} "$@" | tee .run/faults/latest.md
