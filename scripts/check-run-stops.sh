#!/usr/bin/env bash
# The local run stops whole, and keeps its data when asked. `./scripts/run.sh --fast-retries --keep-data | tee`
# stopped by Ctrl-C (SIGINT to the whole foreground process group, tee included) leaves nothing it started
# behind — no AppHost, broker, Redis, orchestrator, or the broker's epmd on 127.0.0.1:35680; run again with
# --keep-data, it has the endpoint and the admin key of the run before. (CI runs it after the smoke run.)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/servers.sh

log=$(mktemp /tmp/webhooks-run-stops.XXXXXX)
trap 'rm -f "$log"' EXIT

fail() {
  echo "check-run-stops: $*" >&2
  exit 1
}

# run_until_up ARGS…: starts the run as a terminal's job (job control: its own process group, SIGINT not
# ignored, its output to tee alone) and returns once its banner is printed; the group's id is in $leader.
run_until_up() {
  : >"$log"
  set -m
  bash -c "./scripts/run.sh $* 2>&1 | tee '$log' >/dev/null" </dev/null >/dev/null 2>&1 &
  leader=$!
  set +m
  local deadline=$((SECONDS + 300))
  until grep -q "Ctrl-C stops everything" "$log"; do
    kill -0 "$leader" 2>/dev/null || { cat "$log"; fail "the run ended before it was up"; }
    [ $SECONDS -lt $deadline ] || { cat "$log"; kill -KILL -- -"$leader"; fail "the run was not up within 5 minutes"; }
    sleep 1
  done
}

# ctrl_c_and_check: SIGINT to the run's process group, as Ctrl-C sends it, then nothing of the run may be left.
ctrl_c_and_check() {
  kill -INT -- -"$leader"
  local deadline=$((SECONDS + 90))
  while kill -0 "$leader" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || fail "run.sh did not stop within 90 s of Ctrl-C"
    sleep 0.5
  done
  local left=0
  for port in 5080 5081 5082 9000 18888 5680 15680 6390 35680; do
    if port_in_use "$port"; then
      echo "check-run-stops: something still listens on 127.0.0.1:$port after the run stopped" >&2
      left=1
    fi
  done
  if pgrep -af "tools/dcp |-epmd_port 35680|redis-server 127.0.0.1:6390|Webhooks.AppHost" >&2; then
    echo "check-run-stops: processes of the run outlived it" >&2
    left=1
  fi
  [ "$left" = 0 ] || exit 1
}

run_until_up --fast-retries --keep-data
grep -q "Retries        after 2 s, 5 s, 10 s, 20 s and 30 s" "$log" || fail "the banner does not say --fast-retries' schedule"
grep -q "Data           kept" "$log" || fail "the banner does not say the data is kept"
key=$(cat .run/aspire/admin-key)
endpoint=$(curl -fsS -X POST http://127.0.0.1:5080/v1/endpoints -H "Authorization: Bearer $key" -H 'content-type: application/json' \
  -d '{"tenant":"kept","url":"http://127.0.0.1:9/kept","eventTypes":["*"]}' | sed -E 's/.*"id":"([^"]+)".*/\1/')
echo "Up (fast retries, data kept); endpoint $endpoint made. Ctrl-C to its process group (tee included)…"
ctrl_c_and_check

run_until_up --keep-data
[ "$(cat .run/aspire/admin-key)" = "$key" ] || fail "--keep-data made a new admin key"
curl -fsS "http://127.0.0.1:5080/v1/endpoints/$endpoint" -H "Authorization: Bearer $key" >/dev/null || fail "--keep-data lost endpoint $endpoint"
echo "Up again with the endpoint and key of the run before. Ctrl-C…"
ctrl_c_and_check
echo "check-run-stops: nothing the run started outlived it, and --keep-data kept what it had."
