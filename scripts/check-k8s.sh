#!/usr/bin/env bash
# Checks deploy/k8s without a cluster: renders the kustomize base and the example overlay with
# `kubectl kustomize`, validates every rendered object against the Kubernetes and KEDA schemas
# (npm packages kubernetes-models and @kubernetes-models/keda, through scripts/lib/validate-k8s.mjs),
# and checks that every setting of docs/configuration.md is in the base ConfigMap or Secret (and
# that the ConfigMap holds no setting the docs do not know: a misspelt key would be ignored).
# Needs kubectl (Debian's kubernetes-client is installed when missing and we are root) and Node.js.
set -euo pipefail
cd "$(dirname "$0")/.."

# Pinned: the newest releases whose engines accept Node.js 20 (kubernetes-models 5.x and
# @kubernetes-models/keda 2.x need Node.js 22).
PACKAGES=(kubernetes-models@4.5.1 @kubernetes-models/keda@0.4.2 yaml@2.9.1)
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/webhooks-k8s-check"

if ! command -v kubectl >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kubernetes-client >/dev/null
  else
    echo "kubectl is missing: install it (apt-get install kubernetes-client, as root) and run again." >&2
    exit 1
  fi
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "Node.js and npm are missing: install them (Node.js 20 or later) and run again." >&2
  exit 1
fi

# The validator's packages, installed once into the cache (again when the pins change).
if [ "$(cat "$CACHE/.pins" 2>/dev/null)" != "${PACKAGES[*]}" ]; then
  rm -rf "$CACHE"
  mkdir -p "$CACHE"
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$CACHE" "${PACKAGES[@]}" >/dev/null
  echo "${PACKAGES[*]}" > "$CACHE/.pins"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

failed=0
for dir in deploy/k8s/base deploy/k8s/overlays/example; do
  # The kustomizations use the syntax Debian 12's kubectl (kustomize v2.0.3) reads; newer kustomize
  # reads it too but warns that these fields are deprecated. Those warnings are dropped, others shown.
  if ! kubectl kustomize "$dir" >"$work/out.yaml" 2>"$work/err"; then
    echo "FAIL $dir: kubectl kustomize failed:" >&2
    cat "$work/err" >&2
    failed=1
    continue
  fi
  grep -vE "^# Warning: '(bases|patchesStrategicMerge|patchesJson6902)' is deprecated" "$work/err" >&2 || true
  node scripts/lib/validate-k8s.mjs "$CACHE" "$dir" <"$work/out.yaml" || failed=1
done

# Every setting of docs/configuration.md's table, in base/config.env (a line or, for a list with no
# default, a commented example "# NAME=…") or base/secret.yaml. A row may name siblings: "`A__B` ·
# `C`" is A__B and A__C; "`X__0`, `__1`, …" is a list, of which X__0 is looked for.
config=deploy/k8s/base/config.env
secret=deploy/k8s/base/secret.yaml
documented=$(
  grep -E '^\| `' docs/configuration.md | cut -d'|' -f2 | while IFS= read -r column; do
    first=""
    while IFS= read -r name; do
      if [ -z "$first" ]; then
        first=$name
        echo "$name"
      elif [[ $name != __* ]]; then
        echo "${first%__*}__$name"
      fi
    done < <(grep -oE '`[^`]+`' <<<"$column" | tr -d '`')
  done | grep -E '^(Webhooks__|ConnectionStrings__|OTEL_)' | sort -u
)
missing=0
for name in $documented; do
  if ! grep -qE "^(# )?$name=" "$config" && ! grep -qE "^  $name:" "$secret"; then
    echo "FAIL docs/configuration.md names $name, which is in neither $config nor $secret" >&2
    missing=1
  fi
done
# And the other way: a key in the ConfigMap that the docs do not name would be read by nobody.
for name in $(grep -oE '^(# )?Webhooks__[A-Za-z0-9_]+=' "$config" | sed -E 's/^# //; s/=$//; s/__[0-9]+$/__0/' | sort -u); do
  if ! grep -qx "$name" <<<"$documented"; then
    echo "FAIL $config sets $name, which docs/configuration.md does not name" >&2
    missing=1
  fi
done
if [ "$missing" = 0 ]; then
  echo "ok   settings: all $(wc -w <<<"$documented") settings of docs/configuration.md are in the base ConfigMap or Secret"
else
  failed=1
fi

if [ "$failed" != 0 ]; then
  echo "deploy/k8s: FAILED" >&2
  exit 1
fi
echo "deploy/k8s: base and example overlay render and are valid."
