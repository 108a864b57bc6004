# Private RabbitMQ and Redis servers on loopback, for the tests and the benchmark.
# Source this file; it defines functions and changes nothing by itself. How each server is set
# up is not here but in private-rabbitmq.sh and private-redis.sh, which the AppHost runs too.

WEBHOOKS_SERVERS_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

ensure_server_packages() {
  if [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] && command -v redis-server >/dev/null; then
    return 0
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "RabbitMQ and Redis are missing: run 'sudo apt-get install -y rabbitmq-server redis-server' once." >&2
    return 1
  fi
  echo "Installing RabbitMQ and Redis (Debian packages)…" >&2
  # policy-rc.d keeps the packages' own system services from starting: ours are private.
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server redis-server >&2
  # The package's post-install starts a system-wide epmd on every interface; ours are private.
  pkill -u rabbitmq epmd 2>/dev/null || true
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pick_ports AMQP_BASE REDIS_BASE: sets AMQP_PORT, MANAGEMENT_PORT and REDIS_PORT to free ports at or above the bases.
# RabbitMQ also takes AMQP+20000 (distribution) and AMQP+30000 (its private epmd).
pick_ports() {
  AMQP_PORT=$1 REDIS_PORT=$2
  while port_in_use "$AMQP_PORT" || port_in_use $((AMQP_PORT + 10000)) || port_in_use $((AMQP_PORT + 20000)) || port_in_use $((AMQP_PORT + 30000)); do
    AMQP_PORT=$((AMQP_PORT + 1))
  done
  while port_in_use "$REDIS_PORT"; do REDIS_PORT=$((REDIS_PORT + 1)); done
  MANAGEMENT_PORT=$((AMQP_PORT + 10000))
}

# start_servers DIR AMQP_PORT MANAGEMENT_PORT REDIS_PORT: RabbitMQ in DIR/rabbitmq and Redis in
# DIR/redis, by the recipes in private-rabbitmq.sh and private-redis.sh; returns once both answer.
start_servers() {
  local dir=$1 amqp=$2 mgmt=$3 redis=$4
  start_rabbitmq "$dir" "$amqp" "$mgmt"

  bash "$WEBHOOKS_SERVERS_LIB/private-redis.sh" "$dir/redis" "$redis" \
    --daemonize yes --logfile "$dir/redis/redis.log" >/dev/null

  local deadline=$((SECONDS + 60))
  until redis-cli -h 127.0.0.1 -p "$redis" ping >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { echo "Redis did not start: see $dir/redis/redis.log" >&2; return 1; }
    sleep 0.2
  done
  wait_rabbitmq "$dir"
}

# start_rabbitmq DIR [AMQP_PORT MANAGEMENT_PORT]: starts the node in the background, in its own
# session, and returns at once; without ports, on those of its last start in DIR.
start_rabbitmq() {
  local dir=$1 amqp=${2:-} mgmt=${3:-}
  if [ -z "$amqp" ]; then
    amqp=$(. "$dir/rabbitmq/env"; echo "$WEBHOOKS_AMQP_PORT")
    mgmt=$(. "$dir/rabbitmq/env"; echo "$WEBHOOKS_MANAGEMENT_PORT")
  fi
  mkdir -p "$dir/rabbitmq"
  ( setsid bash "$WEBHOOKS_SERVERS_LIB/private-rabbitmq.sh" "$dir/rabbitmq" "$amqp" "$mgmt" \
      </dev/null >>"$dir/rabbitmq/stdout.log" 2>&1 & )
}

# wait_rabbitmq DIR: returns once the node's management API answers; fails after a minute.
wait_rabbitmq() {
  local mgmt= deadline=$((SECONDS + 60))
  until [ -n "$mgmt" ] && curl -fsS -u guest:guest "http://127.0.0.1:$mgmt/api/overview" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { echo "RabbitMQ did not start: see $1/rabbitmq/log and $1/rabbitmq/stdout.log" >&2; return 1; }
    # The recipe writes env as the node starts.
    [ -f "$1/rabbitmq/env" ] && mgmt=$(. "$1/rabbitmq/env"; echo "$WEBHOOKS_MANAGEMENT_PORT")
    sleep 0.3
  done
}

# restart_rabbitmq DIR: stops the node and starts it again on the same data (for recovery tests).
restart_rabbitmq() {
  ( . "$1/rabbitmq/env"; timeout 60 /usr/lib/rabbitmq/bin/rabbitmqctl -q shutdown >/dev/null 2>&1 || true )
  start_rabbitmq "$1"
  wait_rabbitmq "$1"
}

# stop_servers DIR
stop_servers() {
  local dir=$1
  if [ -f "$dir/redis/pid" ]; then kill "$(cat "$dir/redis/pid")" 2>/dev/null || true; fi
  if [ -f "$dir/rabbitmq/env" ]; then
    ( . "$dir/rabbitmq/env"
      timeout 30 /usr/lib/rabbitmq/bin/rabbitmqctl -q shutdown >/dev/null 2>&1 \
        || { [ -f "$RABBITMQ_PID_FILE" ] && kill -9 "$(cat "$RABBITMQ_PID_FILE")" 2>/dev/null; }
      epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 || true )
  fi
}
