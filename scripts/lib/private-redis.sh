#!/usr/bin/env bash
# The one recipe for a private Redis on loopback, run in the foreground. Used by
# scripts/lib/servers.sh (tests, benchmark) and by the AppHost when no Docker engine runs.
#   private-redis.sh DIR PORT [REDIS-SERVER OPTIONS…]
# DIR is its own folder (created when missing) for the append-only file and `pid`. It runs the
# way a system of record should (docs/configuration.md): appendonly, noeviction; and takes no
# RDB snapshots. Extra options go last (servers.sh adds --daemonize yes and a log file).
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 DIR PORT [REDIS-SERVER OPTIONS...]" >&2
  exit 64
fi
mkdir -p "$1"
dir=$(cd "$1" && pwd)
port=$2
shift 2
cd "$dir"
exec redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --pidfile "$dir/pid" \
  --appendonly yes --maxmemory-policy noeviction --save '' "$@"
