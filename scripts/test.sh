#!/usr/bin/env bash
# Runs every test: unit tests, and integration tests against a real RabbitMQ and Redis.
# Starts private servers on loopback (installing the Debian packages when missing) unless
# WEBHOOKS_TEST_RABBITMQ, WEBHOOKS_TEST_RABBITMQ_MANAGEMENT and WEBHOOKS_TEST_REDIS are set
# (then WEBHOOKS_TEST_RABBITMQ_RESTART, a shell command, lets the recovery test restart the broker).
# WEBHOOKS_TEST_RABBITMQ_CLUSTER=3 starts a RabbitMQ cluster of three nodes instead of one: the hosts
# are given every node, the tests talk to the first, and the recovery test restarts the first.
# WEBHOOKS_TEST_REDIS_CLUSTER=3 starts a Redis Cluster of three primaries instead of one Redis.
# The console's browser tests drive Debian's chromium (installed when missing, as root), or the
# browser WEBHOOKS_TEST_CHROMIUM names.
# Extra arguments go to `dotnet test` (for example --filter DeliveryTests).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/servers.sh

ensure_browser

if [ -z "${WEBHOOKS_TEST_RABBITMQ:-}" ]; then
  ensure_server_packages
  dir=$(mktemp -d /tmp/webhooks-test.XXXXXX)
  trap 'stop_servers "$dir"; rm -rf "$dir"' EXIT
  nodes=${WEBHOOKS_TEST_RABBITMQ_CLUSTER:-1} redis_nodes=${WEBHOOKS_TEST_REDIS_CLUSTER:-1}
  pick_ports 5673 6380 "$nodes" "$redis_nodes"
  echo "Starting private RabbitMQ ($nodes node(s) from :$AMQP_PORT) and Redis ($redis_nodes node(s) from :$REDIS_PORT) in $dir"
  start_servers "$dir" "$AMQP_PORT" "$MANAGEMENT_PORT" "$REDIS_PORT" "$nodes" "$redis_nodes"
  [ "$nodes" -le 1 ] || export WEBHOOKS_TEST_RABBITMQ_NODES="$CLUSTER_NODES"
  export WEBHOOKS_TEST_RABBITMQ="amqp://guest:guest@127.0.0.1:$AMQP_PORT/"
  export WEBHOOKS_TEST_RABBITMQ_MANAGEMENT="http://guest:guest@127.0.0.1:$MANAGEMENT_PORT/"
  export WEBHOOKS_TEST_REDIS="$REDIS_NODES"
  export WEBHOOKS_TEST_RABBITMQ_RESTART=". '$(pwd)/scripts/lib/servers.sh' && restart_rabbitmq '$dir'"
fi

# One test project at a time: the timing-sensitive tests get the machine to themselves.
dotnet test Webhooks.sln -m:1 "$@"
