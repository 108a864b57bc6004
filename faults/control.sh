#!/usr/bin/env bash
# The faults the suite does to the servers faults/run.sh started (in $WEBHOOKS_FAULTS_DIR: single/
# holds a RabbitMQ node and Redis on $WEBHOOKS_FAULTS_REDIS_PORT, cluster/ a three-node RabbitMQ
# cluster). Called by the suite (faults/Faults/Servers.cs); each action returns once it is done.
#   control.sh cluster-node-stop N | cluster-node-start N   node N of the cluster (1 = the first the hosts try)
#                                                           killed (SIGKILL), and started again on its data
#   control.sh broker-restart                               the single node, killed and started again on its data
#   control.sh broker-memory-alarm AFTER FOR                a memory alarm (vm_memory_high_watermark 0.0001)
#                                                           raised AFTER s from now, for FOR s
#   control.sh redis-stop | redis-start                     SHUTDOWN (the AOF is written) and a start on it
#   control.sh redis-freeze | redis-thaw                    SIGSTOP / SIGCONT
#   control.sh heal                                         everything above undone, where it is not
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/servers.sh
dir=${WEBHOOKS_FAULTS_DIR:?set by faults/run.sh}
redis_port=${WEBHOOKS_FAULTS_REDIS_PORT:?set by faults/run.sh}
ctl=/usr/lib/rabbitmq/bin/rabbitmqctl

node_dir() { if [ "$1" = 1 ]; then echo "$dir/cluster/rabbitmq"; else echo "$dir/cluster/rabbitmq-$1"; fi; }
# Whether a process still runs (not whether it answers: a loaded machine answers slowly, and a second
# server started beside a slow one would fight it for its port and data).
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
node_alive() { alive "$(cat "$1/pid" 2>/dev/null || true)"; }
redis_pid() { cat "$dir/single/redis/pid" 2>/dev/null || true; }
redis_answers() { timeout 5 redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1; }

start_cluster_node() {
  local node; node=$(node_dir "$1")
  # Its cookie stays in its folder; its epmd is the cluster's.
  ( export WEBHOOKS_RABBITMQ_EPMD_PORT; WEBHOOKS_RABBITMQ_EPMD_PORT=$(. "$node/env"; echo "$ERL_EPMD_PORT")
    amqp=$(. "$node/env"; echo "$WEBHOOKS_AMQP_PORT") mgmt=$(. "$node/env"; echo "$WEBHOOKS_MANAGEMENT_PORT")
    setsid bash scripts/lib/private-rabbitmq.sh "$node" "$amqp" "$mgmt" </dev/null >>"$node/stdout.log" 2>&1 & )
  wait_rabbitmq_node "$node"
}

# crash NODE_DIR: the node's VM killed (SIGKILL), as a machine lost: a graceful shutdown keeps serving
# for many seconds first. Its data stays for the next start.
crash() {
  local pid; pid=$(cat "$1/pid")
  kill -9 "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

start_redis() {
  bash scripts/lib/private-redis.sh "$dir/single/redis" "$redis_port" --daemonize yes --logfile "$dir/single/redis/redis.log" >/dev/null
  local deadline=$((SECONDS + 60))
  until redis_answers; do
    [ $SECONDS -lt $deadline ] || { echo "Redis did not start again" >&2; return 1; }
    sleep 0.2
  done
}

case "$1" in
  cluster-node-stop) crash "$(node_dir "$2")" ;;
  cluster-node-start) start_cluster_node "$2" ;;
  broker-restart)
    crash "$dir/single/rabbitmq"
    start_rabbitmq "$dir/single"; wait_rabbitmq "$dir/single" ;;
  broker-memory-alarm)
    # rabbitmqctl takes seconds to start on a loaded machine: it is called before the load, and the
    # node itself raises the alarm after $2 s (vm_memory_high_watermark 0.0001) and clears it $3 s later.
    ( . "$dir/single/rabbitmq/env"
      "$ctl" -q eval "spawn(fun() -> timer:sleep($2 * 1000), vm_memory_monitor:set_vm_memory_high_watermark(0.0001), timer:sleep($3 * 1000), vm_memory_monitor:set_vm_memory_high_watermark(0.4) end), ok." >/dev/null ) ;;
  redis-stop)
    pid=$(redis_pid)
    alive "$pid" || { echo "Redis was not running" >&2; exit 1; }
    # SHUTDOWN writes the AOF; redis-cli reports the closed connection as an error.
    redis-cli -h 127.0.0.1 -p "$redis_port" shutdown >/dev/null 2>&1 || true
    deadline=$((SECONDS + 30))
    while alive "$pid"; do
      [ $SECONDS -lt $deadline ] || { echo "Redis did not stop" >&2; exit 1; }
      sleep 0.2
    done ;;
  redis-start) start_redis ;;
  redis-freeze) kill -STOP "$(redis_pid)" ;;
  redis-thaw) kill -CONT "$(redis_pid)" ;;
  heal)
    pid=$(redis_pid)
    if alive "$pid"; then kill -CONT "$pid"; else start_redis; fi
    for n in 1 2 3; do node_alive "$(node_dir "$n")" || start_cluster_node "$n"; done
    if node_alive "$dir/single/rabbitmq"; then
      # rabbitmqctl is slow on a loaded machine: only when the node says its alarm is still raised.
      if curl -fsS -m 5 -u guest:guest "http://127.0.0.1:$(. "$dir/single/rabbitmq/env"; echo "$WEBHOOKS_MANAGEMENT_PORT")/api/nodes" | grep -q '"mem_alarm":true'; then
        ( . "$dir/single/rabbitmq/env"; "$ctl" -q set_vm_memory_high_watermark 0.4 )
      fi
    else
      start_rabbitmq "$dir/single"; wait_rabbitmq "$dir/single"
    fi ;;
  *) echo "unknown action: $1" >&2; exit 64 ;;
esac
