#!/usr/bin/env bash
# Runs the whole system on this machine under the .NET Aspire AppHost (src/AppHost): RabbitMQ and
# Redis (private loopback instances of the machine's own servers, or containers where a Docker
# engine runs), Ingest, two Dispatchers and a demo receiver that subscribes itself; sends one
# event, shows it arriving verified, and keeps running until Ctrl-C, with the Aspire dashboard.
#   --smoke   stop after the verified delivery (what CI checks)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/servers.sh

smoke=false
[ "${1:-}" = "--smoke" ] && smoke=true
INGEST="http://127.0.0.1:5080"
DASHBOARD="http://127.0.0.1:18888"
for port in 5080 5081 5082 9000 18888 18889 18890 5680 15680 6390; do
  if port_in_use "$port"; then
    echo "Port $port is taken (is the system already running?): the local run needs 5080-5082, 9000, 18888-18890, 5680, 15680 and 6390." >&2
    exit 1
  fi
done

ensure_server_packages
echo "Building…"
mkdir -p .run
dotnet build src/AppHost -v quiet -nologo >.run/build.log 2>&1 || { cat .run/build.log; exit 1; }

apphost= tail_pid=
cleanup() {
  trap - EXIT INT TERM
  # A background job of a script ignores SIGINT: Ctrl-C alone would leave the tail running.
  if [ -n "$tail_pid" ]; then
    kill "$tail_pid" 2>/dev/null || true
    wait "$tail_pid" 2>/dev/null || true
  fi
  echo
  echo "Stopping…"
  if [ -n "$apphost" ]; then
    kill -TERM "$apphost" 2>/dev/null || true
    wait "$apphost" 2>/dev/null || true
    # The orchestrator stops every resource once the AppHost is gone (the broker's command line
    # shows its epmd port, not its node name).
    for _ in $(seq 1 60); do
      pgrep -f "tools/dcp |-epmd_port 35680|redis-server 127.0.0.1:6390" >/dev/null || break
      sleep 0.5
    done
  fi
  epmd -port 35680 -kill >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "Starting the AppHost (dashboard $DASHBOARD)…"
export DOTNET_ENVIRONMENT=Development ASPNETCORE_ENVIRONMENT=Development
export ASPNETCORE_URLS="$DASHBOARD"
export ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL="http://127.0.0.1:18889"
export ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL="http://127.0.0.1:18890"
# Plain http on loopback, no login: without a trusted dev certificate no traces would arrive otherwise.
export ASPIRE_ALLOW_UNSECURED_TRANSPORT=true ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true
src/AppHost/bin/Debug/net10.0/Webhooks.AppHost >.run/apphost.log 2>&1 &
apphost=$!

started=$SECONDS
until curl -fsS "$INGEST/readyz" >/dev/null 2>&1; do
  kill -0 "$apphost" 2>/dev/null || { cat .run/apphost.log; echo "The AppHost stopped; see .run/apphost.log" >&2; exit 1; }
  [ $((SECONDS - started)) -lt 180 ] || { echo "Ingest did not become ready: see $DASHBOARD and .run/apphost.log" >&2; exit 1; }
  sleep 0.5
done
receiver_log=.run/aspire/receiver.log
until grep -q Listening "$receiver_log" 2>/dev/null; do
  [ $((SECONDS - started)) -lt 180 ] || { echo "The demo receiver did not start: see $DASHBOARD" >&2; exit 1; }
  sleep 0.3
done
echo "Up in $((SECONDS - started)) s."

key=$(cat .run/aspire/admin-key)
auth="Authorization: Bearer $key"
event=$(curl -fsS -X POST "$INGEST/v1/events" -H "$auth" -H 'content-type: application/json' \
  -d '{"type":"order.created","tenant":"demo","data":{"orderId":"1001","total":42.5}}')
event_id=$(sed -E 's/.*"id":"([^"]+)".*/\1/' <<<"$event")
deadline=$((SECONDS + 60))
until grep -q "verified  $event_id" "$receiver_log"; do
  [ $SECONDS -lt $deadline ] || { echo "The demo event $event_id did not arrive verified; see $DASHBOARD" >&2; exit 1; }
  sleep 0.2
done

echo
echo "The demo receiver got event $event_id, signature verified:"
echo
sed 's/^/  /' "$receiver_log"
for port in 5081 5082; do
  # Read whole, then searched: grep -q stopping early would fail curl's write (and the pipeline).
  metrics=$(curl -fsS "http://127.0.0.1:$port/metrics" || true)
  grep -q '^webhooks_delivery_attempts_total' <<<"$metrics" \
    || { echo "Dispatcher metrics on :$port do not answer" >&2; exit 1; }
done
if $smoke; then
  exit 0
fi
cat <<INFO

Webhooks is running.
  Dashboard      $DASHBOARD   (traces, metrics and logs of every process)
  Ingest API     $INGEST   (OpenAPI: $INGEST/openapi/v1.json)
  Metrics        $INGEST/metrics, http://127.0.0.1:5081/metrics and :5082/metrics (each dispatcher's own)
  Admin API key  $key
  Demo receiver  tenant demo, every event type; it prints to $receiver_log
  RabbitMQ       http://127.0.0.1:15680 (guest/guest)

Send your own event:
  curl -X POST $INGEST/v1/events -H '$auth' -H 'content-type: application/json' \\
    -d '{"type":"order.shipped","tenant":"demo","data":{"orderId":"1001"}}'
See what happened to it:
  curl -H '$auth' $INGEST/v1/events/<id>

Ctrl-C stops everything.
INFO
tail -n 0 -f "$receiver_log" &
tail_pid=$!
wait "$apphost" || true
