#!/usr/bin/env bash
# Checks the observability kit against the real thing: the alert rules pass their promtool unit
# tests; then Debian's Prometheus, on loopback, scrapes a running Ingest and Dispatcher (on
# private RabbitMQ and Redis) while deliveries go to a receiver that always answers 500 and to
# one that answers 200. It must see the platform's metrics arrive, the dead-letter alert go to
# firing, and every metric the Grafana dashboards query among the names it scraped.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/servers.sh

ensure_server_packages
if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "Prometheus is missing: apt-get install prometheus" >&2; exit 1; }
  echo "Installing Prometheus (Debian package)…" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >&2
fi

echo "Alert rules: promtool check and unit tests"
promtool check rules deploy/prometheus/alerts.yml
(cd deploy/prometheus && promtool test rules alerts.test.yml)

dir=$(mktemp -d /tmp/webhooks-observability.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  stop_servers "$dir"
  rm -rf "$dir"
}
trap cleanup EXIT

free_port() {
  local port=$1
  while port_in_use "$port"; do port=$((port + 1)); done
  echo "$port"
}

echo "Building Ingest, Dispatcher and the CLI…"
dotnet build src/Ingest -v q -nologo >"$dir/build.log" 2>&1 && dotnet build src/Dispatcher -v q -nologo >>"$dir/build.log" 2>&1 \
  && dotnet build src/Cli -v q -nologo >>"$dir/build.log" 2>&1 || { cat "$dir/build.log"; exit 1; }

pick_ports 5693 6393
start_servers "$dir" "$AMQP_PORT" "$MANAGEMENT_PORT" "$REDIS_PORT"
ingest_port=$(free_port 5190)
dispatcher_port=$(free_port $((ingest_port + 1)))
prometheus_port=$(free_port 9190)
failing_port=$(free_port 9290)
healthy_port=$(free_port $((failing_port + 1)))
admin_key="whk_admin_$(openssl rand -hex 16)"

# Both hosts: the private servers, short retries (a failing delivery is dead-lettered within
# seconds), loopback receivers allowed, and a key for the admin API and one for secrets at rest.
export ConnectionStrings__RabbitMq="amqp://guest:guest@127.0.0.1:$AMQP_PORT/"
export ConnectionStrings__Redis="127.0.0.1:$REDIS_PORT"
export Webhooks__Auth__AdminKey="$admin_key"
export Webhooks__Secrets__Keys__0="obs:$(head -c 32 /dev/urandom | base64)"
export Webhooks__Destinations__Allow__0="127.0.0.0/8 ports=*"
export Webhooks__Retries__Schedule__0=00:00:00.200 Webhooks__Retries__Schedule__1=00:00:00.400
export Webhooks__DelayTiers__Shortest=00:00:00.100 Webhooks__DelayTiers__Count=6
export Webhooks__Dispatcher__QueueSampling=00:00:01
export Logging__LogLevel__Default=Warning DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production

start_host() { # NAME PORT DLL
  Urls="http://127.0.0.1:$2" "$3" >"$dir/$1.log" 2>&1 &
  pids+=($!)
}
wait_ready() { # NAME URL
  local deadline=$((SECONDS + 90))
  until curl -fsS "$2/readyz" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { cat "$dir/$1.log" >&2; echo "$1 did not become ready" >&2; exit 1; }
    sleep 0.3
  done
}
start_host ingest "$ingest_port" src/Ingest/bin/Debug/net10.0/Webhooks.Ingest
start_host dispatcher "$dispatcher_port" src/Dispatcher/bin/Debug/net10.0/Webhooks.Dispatcher
ingest="http://127.0.0.1:$ingest_port"
wait_ready ingest "$ingest"
wait_ready dispatcher "http://127.0.0.1:$dispatcher_port"

# Prometheus scrapes both every second and evaluates the real rules every second.
mkdir -p "$dir/prometheus"
cat >"$dir/prometheus/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $(pwd)/deploy/prometheus/alerts.yml
scrape_configs:
  - job_name: webhooks-ingest
    static_configs: [{ targets: ["127.0.0.1:$ingest_port"] }]
  - job_name: webhooks-dispatcher
    static_configs: [{ targets: ["127.0.0.1:$dispatcher_port"] }]
EOF
prometheus --config.file="$dir/prometheus/prometheus.yml" --storage.tsdb.path="$dir/prometheus/data" \
  --web.listen-address="127.0.0.1:$prometheus_port" >"$dir/prometheus.log" 2>&1 &
pids+=($!)
prom="http://127.0.0.1:$prometheus_port"

# query PROMQL: the first sample's value, or nothing.
query() {
  curl -fsS --get "$prom/api/v1/query" --data-urlencode "query=$1" 2>/dev/null \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=s?JSON.parse(s).data.result:[];if(r.length)console.log(r[0].value[1])})'
}
# firing ALERT: whether Prometheus has the alert firing.
firing() {
  curl -fsS "$prom/api/v1/alerts" 2>/dev/null \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.exit(s&&JSON.parse(s).data.alerts.some(a=>a.labels.alertname===process.argv[1]&&a.state==="firing")?0:1))' "$1"
}
eventually() { # WHAT COMMAND…
  local what=$1 deadline=$((SECONDS + 120))
  shift
  until "$@"; do
    [ $SECONDS -lt $deadline ] || { echo "Timed out waiting: $what" >&2; tail -n 20 "$dir/prometheus.log" "$dir/dispatcher.log" >&2; exit 1; }
    sleep 1
  done
  echo "  ok: $what"
}
at_least() { local v; v=$(query "$1"); [ -n "$v" ] && node -e 'process.exit(Number(process.argv[1])>=Number(process.argv[2])?0:1)' "$v" "$2"; }

# A counter's growth shows once Prometheus has its 0: the first scrapes come before any event.
eventually "both hosts are scraped, counters at 0" at_least 'count(webhooks_delivery_dead_lettered_total) and sum(up{job=~"webhooks-.*"})' 2

# Two real receivers, each registering its own endpoint: one answers 500 to everything.
cli=src/Cli/bin/Debug/net10.0/Webhooks.Cli
"$cli" listen --port "$failing_port" --status 500 --register "$ingest" --api-key "$admin_key" --tenant obs-failing >"$dir/failing.log" 2>&1 &
pids+=($!)
"$cli" listen --port "$healthy_port" --register "$ingest" --api-key "$admin_key" --tenant obs-healthy >"$dir/healthy.log" 2>&1 &
pids+=($!)
deadline=$((SECONDS + 60))
until grep -q Listening "$dir/failing.log" 2>/dev/null && grep -q Listening "$dir/healthy.log" 2>/dev/null; do
  [ $SECONDS -lt $deadline ] || { cat "$dir/failing.log" "$dir/healthy.log" >&2; echo "The receivers did not start" >&2; exit 1; }
  sleep 0.3
done

for tenant in obs-failing obs-healthy obs-failing obs-healthy; do
  curl -fsS -o /dev/null -X POST "$ingest/v1/events" -H "Authorization: Bearer $admin_key" -H 'content-type: application/json' \
    -d "{\"type\":\"observability.checked\",\"tenant\":\"$tenant\",\"data\":{\"n\":1}}"
done
echo "Events published; waiting for Prometheus to see them and the dead-letter alert to fire…"

eventually "accepted events arrive from Ingest" at_least 'sum(webhooks_ingest_events_accepted_total)' 4
eventually "delivered and failed attempts arrive by status class" at_least 'sum(webhooks_delivery_attempts_total{outcome="delivered",status_class="2xx"}) and sum(webhooks_delivery_attempts_total{outcome="failed",status_class="5xx"})' 2
eventually "dead letters arrive with their reason" at_least 'sum(webhooks_delivery_dead_lettered_total{reason="exhausted"})' 2
eventually "queue depths and consumers arrive from the broker" at_least 'max(webhooks_queue_consumers{queue="webhooks-delivery",kind="lane"})' 1
eventually "the failing endpoint is shown" at_least 'count(webhooks_endpoint_failing_seconds)' 1
eventually "the lag histogram has its deliveries" at_least 'sum(webhooks_delivery_lag_seconds_count)' 2
eventually "WebhooksDeadLettersGrowing is firing" firing WebhooksDeadLettersGrowing

echo "Dashboards: every metric they query is one Prometheus scraped"
curl -fsS "$prom/api/v1/label/__name__/values" \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).data.join("\n")))' >"$dir/scraped.txt"
bash deploy/grafana/check-dashboards.sh "$dir/scraped.txt"
echo "Observability checked: rules tested, metrics scraped, the dead-letter alert fired, dashboards match."
