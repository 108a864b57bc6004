#!/usr/bin/env bash
# Checks what can be checked of the container deployment without a Docker engine: the compose
# file is valid, every image's build step (scripts/publish.sh of its project) succeeds, and the CLI
# packs as a dotnet tool that installs and runs.
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

# The CLI ships as a dotnet tool too: it packs, installs into a tool path and runs.
dotnet pack src/Cli -o "$out/nupkg" -v q -nologo >/dev/null
dotnet tool install --tool-path "$out/tools" --add-source "$out/nupkg" Webhooks.Cli >/dev/null
"$out/tools/webhooks" --help >/dev/null
echo "The webhooks tool packs, installs and runs."
