#!/usr/bin/env bash
# The one recipe for a private RabbitMQ node on loopback, run in the foreground. Used by
# scripts/lib/servers.sh (tests, benchmark: in the background, in its own session) and by the
# AppHost when no Docker engine runs (the local run: as an Aspire executable resource).
#   private-rabbitmq.sh DIR AMQP_PORT MANAGEMENT_PORT
# DIR is the node's own folder, created when missing; its data survives a restart on the same DIR.
# It gets rabbitmq.conf, advanced.config (deploy/rabbitmq's), enabled_plugins (the management plugin), mnesia/, log/ (where an
# erl_crash.dump of a crashed node lands too) and `env`, which rabbitmqctl needs to reach the
# node: `( . DIR/env; rabbitmqctl shutdown )`. The node is webhooks-AMQP_PORT@localhost and also
# listens on AMQP_PORT+20000 (distribution); its own epmd, on AMQP_PORT+30000, outlives it: stop
# that with `epmd -port PORT -kill`. Everything listens on 127.0.0.1 only.
# Nodes of one cluster share an Erlang cookie and an epmd: set WEBHOOKS_RABBITMQ_COOKIE and
# WEBHOOKS_RABBITMQ_EPMD_PORT alike for each (servers.sh's start_rabbitmq_cluster does).
set -euo pipefail
if [ $# -ne 3 ]; then
  echo "usage: $0 DIR AMQP_PORT MANAGEMENT_PORT" >&2
  exit 64
fi
mkdir -p "$1"
dir=$(cd "$1" && pwd)
amqp=$2 mgmt=$3
epmd=${WEBHOOKS_RABBITMQ_EPMD_PORT:-$((amqp + 30000))} dist=$((amqp + 20000))

mkdir -p "$dir/mnesia" "$dir/log"
if [ -n "${WEBHOOKS_RABBITMQ_COOKIE:-}" ]; then
  rm -f "$dir/.erlang.cookie"
  printf '%s' "$WEBHOOKS_RABBITMQ_COOKIE" >"$dir/.erlang.cookie"
  chmod 400 "$dir/.erlang.cookie"
fi
cat >"$dir/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$amqp
management.tcp.ip = 127.0.0.1
management.tcp.port = $mgmt
CONF
echo '[rabbitmq_management].' >"$dir/enabled_plugins"
cp "$(dirname "${BASH_SOURCE[0]}")/../../deploy/rabbitmq/advanced.config" "$dir/advanced.config"
: >"$dir/rabbitmq-env.conf"
# Written whole, then renamed: servers.sh reads it while the node starts.
{
  printf 'export HOME=%q\n' "$dir"
  printf 'export RABBITMQ_NODENAME=%q\n' "webhooks-$amqp@localhost"
  echo "export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1"
  echo "export RABBITMQ_DIST_PORT=$dist"
  echo "export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}'"
  echo "export ERL_EPMD_ADDRESS=127.0.0.1"
  echo "export ERL_EPMD_PORT=$epmd"
  printf 'export ERL_CRASH_DUMP=%q\n' "$dir/log/erl_crash.dump"
  printf 'export RABBITMQ_MNESIA_BASE=%q\n' "$dir/mnesia"
  printf 'export RABBITMQ_LOG_BASE=%q\n' "$dir/log"
  printf 'export RABBITMQ_CONFIG_FILE=%q\n' "$dir/rabbitmq"
  printf 'export RABBITMQ_ADVANCED_CONFIG_FILE=%q\n' "$dir/advanced.config"
  printf 'export RABBITMQ_CONF_ENV_FILE=%q\n' "$dir/rabbitmq-env.conf"
  printf 'export RABBITMQ_ENABLED_PLUGINS_FILE=%q\n' "$dir/enabled_plugins"
  printf 'export RABBITMQ_PID_FILE=%q\n' "$dir/pid"
  echo "WEBHOOKS_AMQP_PORT=$amqp"
  echo "WEBHOOKS_MANAGEMENT_PORT=$mgmt"
} >"$dir/env.new"
mv -f "$dir/env.new" "$dir/env"

. "$dir/env"
# Anything else the VM drops in its working directory (MnesiaCore.* dumps) stays in DIR too.
cd "$dir"
# Not the /usr/sbin wrapper: it switches to the rabbitmq user, who cannot write a private folder.
exec /usr/lib/rabbitmq/bin/rabbitmq-server
