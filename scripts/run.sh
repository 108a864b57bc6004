#!/usr/bin/env bash
# Runs the whole system on this machine under the .NET Aspire AppHost (src/AppHost): RabbitMQ and
# Redis (private loopback instances of the machine's own servers, or containers where a Docker
# engine runs), Ingest, two Dispatchers, the web console and a demo receiver that subscribes itself;
# sends one event, shows it arriving verified, prints a link to the demo tenant's portal (checking
# that it opens), and keeps running until Ctrl-C, with the Aspire dashboard.
#   --smoke          stop after the verified delivery (what CI checks)
#   --fast-retries   retry failed deliveries after 2 s, 5 s, 10 s, 20 s and 30 s instead of Svix's
#                    schedule of hours (to watch a delivery retry and end in a dead letter)
#   --keep-data      keep the broker's and Redis's data, and the keys, from the run before
# Every Webhooks__* variable of the environment is passed on to Ingest and both Dispatchers
# (docs/configuration.md lists them), e.g. Webhooks__RateLimiting__DefaultMaxInFlight=4 ./scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/servers.sh

smoke=false fast=false
for arg in "$@"; do
  case "$arg" in
    --smoke) smoke=true ;;
    --fast-retries) fast=true ;;
    --keep-data) export WEBHOOKS_KEEP_DATA=1 ;;
    *) echo "usage: $0 [--smoke] [--fast-retries] [--keep-data]" >&2; exit 2 ;;
  esac
done
if $fast; then
  export Webhooks__Retries__Schedule__0=00:00:02 Webhooks__Retries__Schedule__1=00:00:05 Webhooks__Retries__Schedule__2=00:00:10 \
    Webhooks__Retries__Schedule__3=00:00:20 Webhooks__Retries__Schedule__4=00:00:30
fi
INGEST="http://127.0.0.1:5080"
CONSOLE="http://127.0.0.1:5090"
DASHBOARD="http://127.0.0.1:18888"
for port in 5080 5081 5082 5090 9000 18888 18889 18890 5680 15680 6390; do
  if port_in_use "$port"; then
    echo "Port $port is taken (is the system already running?): the local run needs 5080-5082, 5090, 9000, 18888-18890, 5680, 15680 and 6390." >&2
    exit 1
  fi
done

ensure_server_packages
echo "Building…"
mkdir -p .run
dotnet build src/AppHost -v quiet -nologo >.run/build.log 2>&1 || { cat .run/build.log; exit 1; }

apphost= tail_pid=
# What the run starts, by command line: the orchestrator, the broker (its command line shows its epmd
# port, not its node name) and Redis.
started_here="tools/dcp |-epmd_port 35680|redis-server 127.0.0.1:6390"
cleanup() {
  trap - EXIT INT TERM
  # Whatever happens to our output now (`run.sh | tee log` stopped by Ctrl-C takes tee with it), the
  # cleanup runs to its end: a write to a closed pipe must neither kill the script nor stop it here.
  trap '' PIPE
  set +e
  # A background job of a script ignores SIGINT: Ctrl-C alone would leave the tail running.
  if [ -n "$tail_pid" ]; then
    kill "$tail_pid" 2>/dev/null
    wait "$tail_pid" 2>/dev/null
  fi
  { echo; echo "Stopping…"; } 2>/dev/null
  if [ -n "$apphost" ]; then
    kill -TERM "$apphost" 2>/dev/null
    wait "$apphost" 2>/dev/null
    # The orchestrator stops every resource once the AppHost is gone.
    for _ in $(seq 1 60); do
      pgrep -f "$started_here" >/dev/null || break
      sleep 0.5
    done
    # Anything still there after 30 s is stopped by force.
    pkill -KILL -f "$started_here" 2>/dev/null
  fi
  epmd -port 35680 -kill >/dev/null 2>&1
  return 0
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
# A portal link for the demo tenant, opened once here as a browser would (the console trades its one-time
# token for a session cookie and sends it on to the portal), then a fresh one to print.
portal_link() {
  curl -fsS -X POST "$INGEST/v1/tenants/demo/portal-sessions" -H "$auth" -H 'content-type: application/json' -d '{"expiresInSeconds":86400}' \
    | sed -E 's/.*"url":"([^"]+)".*/\1/'
}
until curl -fsS "$CONSOLE/healthz" >/dev/null 2>&1; do
  [ $((SECONDS - started)) -lt 180 ] || { echo "The console did not start: see $DASHBOARD" >&2; exit 1; }
  sleep 0.3
done
jar=$(mktemp)
portal=$(curl -fsS -L -c "$jar" -b "$jar" "$(portal_link)")
rm -f "$jar"
grep -q '<h1>Endpoints</h1>' <<<"$portal" || { echo "The demo tenant's portal link did not open its portal" >&2; exit 1; }
echo "The demo tenant's portal opens from its link."
if $smoke; then
  exit 0
fi
link=$(portal_link)
cat <<INFO

Webhooks is running.$($fast && printf '\n  Retries        after 2 s, 5 s, 10 s, 20 s and 30 s (--fast-retries): a failing delivery is dead-lettered within about a minute')$([ "${WEBHOOKS_KEEP_DATA:-}" = 1 ] && printf '\n  Data           kept from the run before, and kept for the next (--keep-data): .run/aspire')
  Dashboard      $DASHBOARD   (traces, metrics and logs of every process)
  Ingest API     $INGEST   (OpenAPI: $INGEST/openapi/v1.json)
  Portal         $link
                 (the demo tenant's portal: the link opens once, for 24 h; docs/console.md)
  Metrics        $INGEST/metrics, http://127.0.0.1:5081/metrics and :5082/metrics (each dispatcher's own)
  Admin API key  $key
  Demo receiver  tenant demo, every event type; it prints to $receiver_log
  RabbitMQ       http://127.0.0.1:15680 (guest/guest)

Send your own event, and see what happened to it, with the CLI (docs/cli.md):
  export WEBHOOKS_API_KEY=$key
  dotnet run --project src/Cli -- events send --tenant demo --type order.shipped --data '{"orderId":"1001"}'
  dotnet run --project src/Cli -- events show <id>
or with curl:
  curl -X POST $INGEST/v1/events -H '$auth' -H 'content-type: application/json' \\
    -d '{"type":"order.shipped","tenant":"demo","data":{"orderId":"1001"}}'

Ctrl-C stops everything.
INFO
tail -n 0 -f "$receiver_log" &
tail_pid=$!
wait "$apphost" || true
