#!/usr/bin/env bash
# Checks what can be checked of the container deployment without a Docker engine: the compose
# file is valid, and every image's build step (scripts/publish.sh of its project) succeeds.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v docker-compose >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
  else
    echo "docker-compose is missing: apt-get install docker-compose" >&2
    exit 1
  fi
fi
docker-compose config -q
echo "docker-compose.yml is valid."

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for project in $(grep -E '^\s+PROJECT:' docker-compose.yml | awk '{print $2}' | sort -u); do
  bash scripts/publish.sh "$project" "$out/$project"
  echo "Image build step for $project publishes."
done
