# Private RabbitMQ and Redis servers on loopback, for tests and the local run.
# Source this file; it defines functions and changes nothing by itself.

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

# start_servers DIR AMQP_PORT MANAGEMENT_PORT REDIS_PORT
start_servers() {
  local dir=$1 amqp=$2 mgmt=$3 redis=$4
  local epmd=$((amqp + 30000)) dist=$((amqp + 20000))
  mkdir -p "$dir/rabbitmq/mnesia" "$dir/rabbitmq/log" "$dir/redis"
  cat >"$dir/rabbitmq/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$amqp
management.tcp.ip = 127.0.0.1
management.tcp.port = $mgmt
CONF
  echo '[rabbitmq_management].' >"$dir/rabbitmq/enabled_plugins"
  : >"$dir/rabbitmq/rabbitmq-env.conf"
  cat >"$dir/rabbitmq/env" <<ENV
export HOME='$dir/rabbitmq'
export RABBITMQ_NODENAME='webhooks-$amqp@localhost'
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_DIST_PORT=$dist
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}'
export ERL_EPMD_ADDRESS=127.0.0.1
export ERL_EPMD_PORT=$epmd
export RABBITMQ_MNESIA_BASE='$dir/rabbitmq/mnesia'
export RABBITMQ_LOG_BASE='$dir/rabbitmq/log'
export RABBITMQ_CONFIG_FILE='$dir/rabbitmq/rabbitmq'
export RABBITMQ_CONF_ENV_FILE='$dir/rabbitmq/rabbitmq-env.conf'
export RABBITMQ_ENABLED_PLUGINS_FILE='$dir/rabbitmq/enabled_plugins'
export RABBITMQ_PID_FILE='$dir/rabbitmq/pid'
WEBHOOKS_MANAGEMENT_PORT=$mgmt
ENV
  start_rabbitmq "$dir"

  redis-server --bind 127.0.0.1 --port "$redis" --dir "$dir/redis" --appendonly yes \
    --maxmemory-policy noeviction --save '' --daemonize yes --pidfile "$dir/redis/pid" \
    --logfile "$dir/redis/redis.log" >/dev/null

  local deadline=$((SECONDS + 60))
  until redis-cli -h 127.0.0.1 -p "$redis" ping >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { echo "Redis did not start: see $dir/redis/redis.log" >&2; return 1; }
    sleep 0.2
  done
  wait_rabbitmq "$dir"
}

start_rabbitmq() {
  ( . "$1/rabbitmq/env"; setsid /usr/lib/rabbitmq/bin/rabbitmq-server >>"$1/rabbitmq/stdout.log" 2>&1 & )
}

wait_rabbitmq() {
  local mgmt deadline=$((SECONDS + 60))
  mgmt=$(. "$1/rabbitmq/env"; echo "$WEBHOOKS_MANAGEMENT_PORT")
  until curl -fsS -u guest:guest "http://127.0.0.1:$mgmt/api/overview" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { echo "RabbitMQ did not start: see $1/rabbitmq/log" >&2; return 1; }
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
