#!/usr/bin/env bash
# The local run stops whole: `./scripts/run.sh | tee run.log` stopped by Ctrl-C (SIGINT to the whole
# foreground process group, tee included) leaves nothing it started behind — no AppHost, broker,
# Redis, orchestrator, or the broker's epmd on 127.0.0.1:35680. (CI runs it after the smoke run.)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/servers.sh

log=$(mktemp /tmp/webhooks-run-stops.XXXXXX)
trap 'rm -f "$log"' EXIT
# A job of its own, as a terminal runs it (job control: its own process group, SIGINT not ignored), so
# that the group gets the SIGINT a Ctrl-C would send. Its output goes to tee alone, as in a terminal.
set -m
bash -c "./scripts/run.sh 2>&1 | tee '$log' >/dev/null" </dev/null >/dev/null 2>&1 &
leader=$!
set +m
deadline=$((SECONDS + 300))
until grep -q "Webhooks is running" "$log"; do
  kill -0 "$leader" 2>/dev/null || { cat "$log"; echo "check-run-stops: the run ended before it was up" >&2; exit 1; }
  [ $SECONDS -lt $deadline ] || { cat "$log"; echo "check-run-stops: the run was not up within 5 minutes" >&2; kill -KILL -- -"$leader"; exit 1; }
  sleep 1
done
echo "The run is up; Ctrl-C to its process group (tee included)…"
kill -INT -- -"$leader"
deadline=$((SECONDS + 90))
while kill -0 "$leader" 2>/dev/null; do
  [ $SECONDS -lt $deadline ] || { echo "check-run-stops: run.sh did not stop within 90 s of Ctrl-C" >&2; exit 1; }
  sleep 0.5
done
left=0
for port in 5080 5081 5082 9000 18888 5680 15680 6390 35680; do
  if port_in_use "$port"; then
    echo "check-run-stops: something still listens on 127.0.0.1:$port after the run stopped" >&2
    left=1
  fi
done
if pgrep -f "tools/dcp |-epmd_port 35680|redis-server 127.0.0.1:6390|Webhooks.AppHost" >/dev/null; then
  pgrep -af "tools/dcp |-epmd_port 35680|redis-server 127.0.0.1:6390|Webhooks.AppHost" >&2
  echo "check-run-stops: processes of the run outlived it" >&2
  left=1
fi
[ "$left" = 0 ] || exit 1
echo "check-run-stops: nothing the run started outlived it."
