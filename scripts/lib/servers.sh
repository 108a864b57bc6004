# Private RabbitMQ and Redis servers on loopback, for the tests and the benchmark.
# Source this file; it defines functions and changes nothing by itself. How each server is set
# up is not here but in private-rabbitmq.sh and private-redis.sh, which the AppHost runs too.

WEBHOOKS_SERVERS_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# install_packages WHAT PACKAGE…: installs the Debian packages (as root), or says how and fails.
install_packages() {
  local what=$1
  shift
  if [ "$(id -u)" != 0 ]; then
    echo "$what missing: run 'sudo apt-get install -y $*' once." >&2
    return 1
  fi
  echo "Installing $* (Debian packages)…" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

ensure_server_packages() {
  if [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] && command -v redis-server >/dev/null; then
    return 0
  fi
  install_packages "RabbitMQ and Redis are" rabbitmq-server redis-server || return 1
  # The package's post-install starts a system-wide epmd on every interface; ours are private.
  pkill -u rabbitmq epmd 2>/dev/null || true
}

# The console's browser tests drive Debian's chromium (Playwright cannot download its own browser
# here), or the one WEBHOOKS_TEST_CHROMIUM names.
ensure_browser() {
  if command -v chromium >/dev/null || [ -n "${WEBHOOKS_TEST_CHROMIUM:-}" ]; then
    return 0
  fi
  install_packages "chromium, for the console's browser tests, is" chromium
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pick_ports AMQP_BASE REDIS_BASE [NODES [REDIS_NODES]]: sets AMQP_PORT, MANAGEMENT_PORT and REDIS_PORT to free
# ports at or above the bases; with NODES (REDIS_NODES), that many ports from AMQP_PORT (REDIS_PORT) on are free
# for a cluster. RabbitMQ also takes AMQP+20000 (distribution) and AMQP+30000 (its private epmd).
pick_ports() {
  AMQP_PORT=$1 REDIS_PORT=$2
  local nodes=${3:-1} redis_nodes=${4:-1} i
  while true; do
    for i in $(seq 0 $((nodes - 1))); do
      if port_in_use $((AMQP_PORT + i)) || port_in_use $((AMQP_PORT + i + 10000)) || port_in_use $((AMQP_PORT + i + 20000)) || port_in_use $((AMQP_PORT + i + 30000)); then
        AMQP_PORT=$((AMQP_PORT + i + 1))
        continue 2
      fi
    done
    break
  done
  while true; do
    for i in $(seq 0 $((redis_nodes - 1))); do
      if port_in_use $((REDIS_PORT + i)) || port_in_use $((REDIS_PORT + i + 10000)); then
        REDIS_PORT=$((REDIS_PORT + i + 1))
        continue 2
      fi
    done
    break
  done
  MANAGEMENT_PORT=$((AMQP_PORT + 10000))
}

# start_servers DIR AMQP_PORT MANAGEMENT_PORT REDIS_PORT [NODES [REDIS_NODES]]: RabbitMQ in DIR/rabbitmq (with
# NODES > 1, a cluster of that many: start_rabbitmq_cluster) and Redis in DIR/redis (with REDIS_NODES > 1,
# a Redis Cluster: start_redis_cluster), by the recipes in private-rabbitmq.sh and private-redis.sh;
# returns once both answer. Sets REDIS_NODES to the Redis address(es) the hosts are given.
start_servers() {
  local dir=$1 amqp=$2 mgmt=$3 redis=$4 nodes=${5:-1} redis_nodes=${6:-1}
  if [ "$nodes" -gt 1 ]; then
    start_rabbitmq_cluster "$dir" "$nodes" "$amqp" || return 1
  else
    start_rabbitmq "$dir" "$amqp" "$mgmt"
  fi
  if [ "$redis_nodes" -gt 1 ]; then
    start_redis_cluster "$dir" "$redis" "$redis_nodes" || return 1
    wait_rabbitmq "$dir"
    return
  fi
  REDIS_NODES="127.0.0.1:$redis"

  bash "$WEBHOOKS_SERVERS_LIB/private-redis.sh" "$dir/redis" "$redis" \
    --daemonize yes --logfile "$dir/redis/redis.log" >/dev/null

  local deadline=$((SECONDS + 60))
  until redis-cli -h 127.0.0.1 -p "$redis" ping >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { echo "Redis did not start: see $dir/redis/redis.log" >&2; return 1; }
    sleep 0.2
  done
  wait_rabbitmq "$dir"
}

# start_rabbitmq_cluster DIR N AMQP_PORT: a cluster of N nodes on AMQP_PORT, AMQP_PORT+1 … (each
# with its management port 10000 above and its distribution port 20000 above), in DIR/rabbitmq,
# DIR/rabbitmq-2 …, sharing one Erlang cookie and one epmd (AMQP_PORT+30000), the others joined
# to the first with rabbitmqctl join_cluster. Sets CLUSTER_NODES to "127.0.0.1:PORT,…" of all but the first.
start_rabbitmq_cluster() {
  local dir=$1 count=$2 first=$3 i port node_dir
  local cookie
  cookie=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
  CLUSTER_NODES=
  for i in $(seq 1 "$count"); do
    port=$((first + i - 1))
    node_dir="$dir/rabbitmq"; [ "$i" = 1 ] || node_dir="$dir/rabbitmq-$i"
    mkdir -p "$node_dir"
    ( export WEBHOOKS_RABBITMQ_COOKIE=$cookie WEBHOOKS_RABBITMQ_EPMD_PORT=$((first + 30000))
      setsid bash "$WEBHOOKS_SERVERS_LIB/private-rabbitmq.sh" "$node_dir" "$port" $((port + 10000)) \
        </dev/null >>"$node_dir/stdout.log" 2>&1 & )
    [ "$i" = 1 ] || CLUSTER_NODES="${CLUSTER_NODES:+$CLUSTER_NODES,}127.0.0.1:$port"
  done
  for i in $(seq 1 "$count"); do
    node_dir="$dir/rabbitmq"; [ "$i" = 1 ] || node_dir="$dir/rabbitmq-$i"
    wait_rabbitmq_node "$node_dir" || return 1
  done
  for i in $(seq 2 "$count"); do
    ( . "$dir/rabbitmq-$i/env"
      /usr/lib/rabbitmq/bin/rabbitmqctl -q stop_app
      /usr/lib/rabbitmq/bin/rabbitmqctl -q join_cluster "webhooks-$first@localhost"
      /usr/lib/rabbitmq/bin/rabbitmqctl -q start_app ) >>"$dir/rabbitmq-$i/stdout.log" 2>&1 \
      || { echo "RabbitMQ node $i did not join the cluster: see $dir/rabbitmq-$i/stdout.log" >&2; return 1; }
  done
  wait_rabbitmq_node "$dir/rabbitmq"
  local running
  running=$(curl -fsS -u guest:guest "http://127.0.0.1:$((first + 10000))/api/nodes" | grep -o '"running":true' | wc -l)
  [ "$running" -eq "$count" ] || { echo "The RabbitMQ cluster runs $running of its $count nodes" >&2; return 1; }
}

# start_redis_cluster DIR PORT N: a Redis Cluster of N primaries on PORT, PORT+1 … (each by the recipe
# in private-redis.sh, in DIR/redis, DIR/redis-2 …, with cluster mode on), the slots spread by
# `redis-cli --cluster create`; returns once the cluster says ok. Sets REDIS_NODES to "127.0.0.1:PORT,…".
start_redis_cluster() {
  local dir=$1 first=$2 count=$3 i port node_dir nodes=()
  for i in $(seq 1 "$count"); do
    port=$((first + i - 1))
    node_dir="$dir/redis"; [ "$i" = 1 ] || node_dir="$dir/redis-$i"
    mkdir -p "$node_dir"
    bash "$WEBHOOKS_SERVERS_LIB/private-redis.sh" "$node_dir" "$port" --daemonize yes --logfile "$node_dir/redis.log" \
      --cluster-enabled yes --cluster-config-file "$node_dir/nodes.conf" >/dev/null
    nodes+=("127.0.0.1:$port")
  done
  local deadline=$((SECONDS + 60))
  for i in $(seq 1 "$count"); do
    until redis-cli -h 127.0.0.1 -p $((first + i - 1)) ping >/dev/null 2>&1; do
      [ $SECONDS -lt $deadline ] || { echo "Redis node $i did not start" >&2; return 1; }
      sleep 0.2
    done
  done
  redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >"$dir/redis/cluster-create.log" 2>&1 \
    || { cat "$dir/redis/cluster-create.log" >&2; return 1; }
  until [[ "$(redis-cli -h 127.0.0.1 -p "$first" cluster info 2>/dev/null)" == *cluster_state:ok* ]]; do
    [ $SECONDS -lt $deadline ] || { echo "The Redis Cluster did not come up" >&2; return 1; }
    sleep 0.2
  done
  REDIS_NODES=$(IFS=,; echo "${nodes[*]}")
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
wait_rabbitmq() { wait_rabbitmq_node "$1/rabbitmq"; }

# wait_rabbitmq_node NODE_DIR: the same, for the node whose folder is NODE_DIR.
wait_rabbitmq_node() {
  local mgmt= deadline=$((SECONDS + 60))
  until [ -n "$mgmt" ] && curl -fsS -u guest:guest "http://127.0.0.1:$mgmt/api/overview" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { echo "RabbitMQ did not start: see $1/log and $1/stdout.log" >&2; return 1; }
    # The recipe writes env as the node starts.
    [ -f "$1/env" ] && mgmt=$(. "$1/env"; echo "$WEBHOOKS_MANAGEMENT_PORT")
    sleep 0.3
  done
}

# restart_rabbitmq DIR: stops the node and starts it again on the same data (for recovery tests).
restart_rabbitmq() {
  ( . "$1/rabbitmq/env"; timeout 60 /usr/lib/rabbitmq/bin/rabbitmqctl -q shutdown >/dev/null 2>&1 || true )
  start_rabbitmq "$1"
  wait_rabbitmq "$1"
}

# stop_servers DIR: Redis and every RabbitMQ node in DIR (a cluster's too), then their epmd.
stop_servers() {
  local dir=$1 node
  for node in "$dir"/redis "$dir"/redis-*; do
    if [ -f "$node/pid" ]; then kill "$(cat "$node/pid")" 2>/dev/null || true; fi
  done
  # Every node first: the nodes of a cluster share the epmd that rabbitmqctl finds them through.
  for node in "$dir"/rabbitmq-* "$dir/rabbitmq"; do
    [ -f "$node/env" ] || continue
    ( . "$node/env"
      timeout 30 /usr/lib/rabbitmq/bin/rabbitmqctl -q shutdown >/dev/null 2>&1 \
        || { [ -f "$RABBITMQ_PID_FILE" ] && kill -9 "$(cat "$RABBITMQ_PID_FILE")" 2>/dev/null; } || true )
  done
  for node in "$dir"/rabbitmq-* "$dir/rabbitmq"; do
    [ -f "$node/env" ] || continue
    ( . "$node/env"; epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 || true )
  done
}
