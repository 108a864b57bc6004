#!/usr/bin/env bash
# publish.sh PROJECT OUTPUT: the release build of one host, as the Dockerfile runs it (and CI checks it).
set -euo pipefail
project=$1 output=$2
dotnet publish "src/$project/$project.csproj" -c Release -o "$output" --nologo -v quiet -p:UseAppHost=false
