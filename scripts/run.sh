#!/usr/bin/env bash
# Runs the whole system on this machine: private RabbitMQ and Redis on loopback, Ingest,
# Dispatcher, and a demo receiver (`webhooks listen`) with a demo endpoint; sends one event and
# shows it arriving verified, then keeps running until Ctrl-C.
#   --smoke   stop after the verified delivery (what CI checks)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/servers.sh

smoke=false
[ "${1:-}" = "--smoke" ] && smoke=true
INGEST_PORT=${INGEST_PORT:-5080}
DISPATCHER_PORT=${DISPATCHER_PORT:-5081}
RECEIVER_PORT=${RECEIVER_PORT:-9000}
for port in "$INGEST_PORT" "$DISPATCHER_PORT" "$RECEIVER_PORT"; do
  if port_in_use "$port"; then
    echo "Port $port is taken (is the system already running?). Set INGEST_PORT, DISPATCHER_PORT or RECEIVER_PORT to use others." >&2
    exit 1
  fi
done

ensure_server_packages
run=$(pwd)/.run
rm -rf "$run" && mkdir -p "$run/logs"
pids=()
cleanup() {
  trap - EXIT INT TERM
  echo
  echo "Stopping…"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  stop_servers "$run/servers"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pick_ports 5674 6381
echo "Starting private RabbitMQ (:$AMQP_PORT, management http://127.0.0.1:$MANAGEMENT_PORT guest/guest) and Redis (:$REDIS_PORT)…"
start_servers "$run/servers" "$AMQP_PORT" "$MANAGEMENT_PORT" "$REDIS_PORT"

echo "Building…"
dotnet build Webhooks.sln -c Release -v quiet -nologo >"$run/logs/build.log" 2>&1 || { cat "$run/logs/build.log"; exit 1; }

export ConnectionStrings__RabbitMq="amqp://guest:guest@127.0.0.1:$AMQP_PORT/"
export ConnectionStrings__Redis="127.0.0.1:$REDIS_PORT"
export Webhooks__Destinations__Allow__0="127.0.0.0/8"
# A fresh admin key and secrets-encryption key for this run (production takes them from a secret store).
export Webhooks__Auth__AdminKey="whk_admin_$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
export Webhooks__Secrets__Keys__0="run:$(head -c 32 /dev/urandom | base64)"
start() { # start NAME DLL ARGS…
  local name=$1 dll=$2; shift 2
  (cd "$(dirname "$dll")" && exec dotnet "$(basename "$dll")" "$@") >"$run/logs/$name.log" 2>&1 &
  pids+=($!)
}
start ingest src/Ingest/bin/Release/net10.0/Webhooks.Ingest.dll --urls "http://127.0.0.1:$INGEST_PORT"
start dispatcher src/Dispatcher/bin/Release/net10.0/Webhooks.Dispatcher.dll --urls "http://127.0.0.1:$DISPATCHER_PORT"

wait_ready() { # wait_ready URL NAME
  local deadline=$((SECONDS + 60))
  until curl -fsS "$1/readyz" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { echo "$2 did not become ready: see $run/logs/$2.log" >&2; exit 1; }
    sleep 0.3
  done
}
wait_ready "http://127.0.0.1:$INGEST_PORT" ingest
wait_ready "http://127.0.0.1:$DISPATCHER_PORT" dispatcher
INGEST="http://127.0.0.1:$INGEST_PORT"

auth="Authorization: Bearer $Webhooks__Auth__AdminKey"
endpoint=$(curl -fsS -X POST "$INGEST/v1/endpoints" -H "$auth" -H 'content-type: application/json' \
  -d "{\"tenant\":\"demo\",\"url\":\"http://127.0.0.1:$RECEIVER_PORT/webhooks\",\"eventTypes\":[\"*\"],\"description\":\"demo receiver\"}")
secret=$(sed -E 's/.*"secret":"([^"]+)".*/\1/' <<<"$endpoint")
endpoint_id=$(sed -E 's/.*"id":"([^"]+)".*/\1/' <<<"$endpoint")
start receiver src/Cli/bin/Release/net10.0/Webhooks.Cli.dll listen --port "$RECEIVER_PORT" --secret "$secret"
until grep -q Listening "$run/logs/receiver.log" 2>/dev/null; do sleep 0.2; done

event=$(curl -fsS -X POST "$INGEST/v1/events" -H "$auth" -H 'content-type: application/json' \
  -d '{"type":"order.created","tenant":"demo","data":{"orderId":"1001","total":42.5}}')
event_id=$(sed -E 's/.*"id":"([^"]+)".*/\1/' <<<"$event")
deadline=$((SECONDS + 30))
until grep -q "verified  $event_id" "$run/logs/receiver.log"; do
  [ $SECONDS -lt $deadline ] || { echo "The demo event $event_id did not arrive verified; see $run/logs/" >&2; exit 1; }
  sleep 0.2
done

echo
echo "The demo receiver got event $event_id, signature verified:"
echo
sed 's/^/  /' "$run/logs/receiver.log"
if $smoke; then
  exit 0
fi
cat <<INFO

Webhooks is running.
  Ingest API     $INGEST   (OpenAPI: $INGEST/openapi/v1.json)
  Dispatcher     http://127.0.0.1:$DISPATCHER_PORT/readyz
  Admin API key  $Webhooks__Auth__AdminKey
  Demo endpoint  $endpoint_id (tenant demo, every event type) → receiver on :$RECEIVER_PORT
  Logs           $run/logs/   (the receiver prints every webhook it gets)

Send your own event:
  curl -X POST $INGEST/v1/events -H '$auth' -H 'content-type: application/json' \\
    -d '{"type":"order.shipped","tenant":"demo","data":{"orderId":"1001"}}'
See what happened to it:
  curl -H '$auth' $INGEST/v1/events/<id>

Ctrl-C stops everything.
INFO
tail -n 0 -f "$run/logs/receiver.log" &
pids+=($!)
wait "${pids[0]}"
