#!/usr/bin/env bash
# Checks the Grafana dashboards against the metrics that really exist:
#   deploy/grafana/check-dashboards.sh METRIC_NAMES [DASHBOARD.json ...]
# METRIC_NAMES lists one metric name a line, as scraped (histograms as name_bucket, name_sum,
# name_count; a bare histogram name covers all three). `up` comes from Prometheus, not from a
# host's /metrics: take the list from Prometheus (/api/v1/label/__name__/values) or add `up`.
# Without dashboards it checks deploy/grafana/dashboards/*.json. It checks that each file is JSON,
# that every panel has a gridPos, a unique id and a query (rows excepted), and that every
# webhooks_* metric and `up` in a query is in the list. Needs bash, awk and node (for JSON.parse).
set -euo pipefail

if [[ $# -lt 1 || ! -r $1 ]]; then
    echo "usage: $0 METRIC_NAMES [DASHBOARD.json ...]  (METRIC_NAMES: a readable file, one metric name a line)" >&2
    exit 2
fi
metrics=$1
shift
if [[ $# -gt 0 ]]; then
    dashboards=("$@")
else
    dashboards=("$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"/dashboards/*.json)
fi

# Prints one line per JSON value: its path (keys and array indexes joined by ".") TAB its value;
# "{" or "[" for an object or array. Assumes valid JSON (node checked it first).
flatten() {
    awk '
    function path(   i, p) { p = ""; for (i = 1; i <= depth; i++) p = p (i > 1 ? "." : "") seg[i]; return p }
    function emit(v) { printf "%s\t%s\n", path(), v }
    function hex(h,   i, n) { n = 0; h = tolower(h); for (i = 1; i <= 4; i++) n = n * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1; return n }
    { text = text $0 "\n" }
    END {
        n = length(text); i = 1; depth = 0
        while (i <= n) {
            c = substr(text, i, 1)
            if (c == "{" || c == "[") { emit(c); depth++; kind[depth] = c; seg[depth] = (c == "[" ? 0 : ""); wantkey[depth] = (c == "{"); i++; continue }
            if (c == "}" || c == "]") { depth--; i++; continue }
            if (c == ",") { if (kind[depth] == "[") seg[depth]++; else wantkey[depth] = 1; i++; continue }
            if (c == ":") { wantkey[depth] = 0; i++; continue }
            if (c == " " || c == "\t" || c == "\n" || c == "\r") { i++; continue }
            s = ""
            if (c == "\"") {
                i++
                while (i <= n) {
                    c = substr(text, i, 1)
                    if (c == "\"") { i++; break }
                    if (c == "\\") {
                        e = substr(text, i + 1, 1); i += 2
                        if (e == "u") { u = hex(substr(text, i, 4)); i += 4; s = s (u >= 32 && u < 127 ? sprintf("%c", u) : "?") }
                        else if (e == "n" || e == "r" || e == "t" || e == "b" || e == "f") s = s " "
                        else s = s e
                        continue
                    }
                    s = s c; i++
                }
                if (kind[depth] == "{" && wantkey[depth]) { seg[depth] = s; continue }
            } else {
                while (i <= n && index(",]} \t\n\r", substr(text, i, 1)) == 0) { s = s substr(text, i, 1); i++ }
            }
            emit(s)
        }
    }' "$1"
}

# Reads the metric list, then one dashboard flattened; prints one problem a line.
check() {
    awk -v dashboard="$2" -v list="$1" '
    function known(w,   base) {
        if (w in names) return 1
        base = w; sub(/_(bucket|sum|count)$/, "", base)
        return base != w && (base in names)
    }
    function label(k) { return "panel " (k in id ? id[k] : "?") " \"" (k in title ? title[k] : "(no title)") "\"" }
    NR == FNR {
        sub(/^[ \t]+/, ""); sub(/[{ \t\r].*$/, "")
        if ($0 != "" && substr($0, 1, 1) != "#") names[$0] = 1
        next
    }
    {
        tab = index($0, "\t"); p = substr($0, 1, tab - 1); v = substr($0, tab + 1)
        if (!match(p, /^panels\.[0-9]+(\.panels\.[0-9]+)?/)) next
        k = substr(p, 1, RLENGTH); rest = substr(p, RLENGTH + 1)
        if (rest == "") { if (!(k in seen)) { seen[k] = 1; order[++panels] = k }; next }
        if (rest == ".title") title[k] = v
        else if (rest == ".type") type[k] = v
        else if (rest == ".id") id[k] = v
        else if (rest == ".gridPos.w") grid[k] = 1
        else if (rest ~ /^\.targets\.[0-9]+\.expr$/ && v ~ /[^ ]/) expr[k, ++exprs[k]] = v
    }
    END {
        if (panels == 0) print dashboard ": no panels"
        for (j = 1; j <= panels; j++) {
            k = order[j]
            if (!(k in id)) print dashboard ", " label(k) ": no id"
            else if (id[k] in ids) print dashboard ", " label(k) ": id " id[k] " is also the id of \"" ids[id[k]] "\""
            else ids[id[k]] = (k in title ? title[k] : "")
            if (!(k in grid)) print dashboard ", " label(k) ": no gridPos"
            if (type[k] == "row") continue
            if (!(k in exprs)) { print dashboard ", " label(k) ": no target with an expr"; continue }
            for (t = 1; t <= exprs[k]; t++) {
                e = expr[k, t]
                # String literals (label values, regexes) hold no metric names.
                gsub(/"([^"\\]|\\.)*"/, "", e); gsub(/\047([^\047\\]|\\.)*\047/, "", e); gsub(/`[^`]*`/, "", e)
                while (match(e, /[A-Za-z_:][A-Za-z0-9_:]*/)) {
                    w = substr(e, RSTART, RLENGTH); e = substr(e, RSTART + RLENGTH)
                    if ((w ~ /^webhooks_[a-z0-9_]+$/ || w == "up") && !known(w) && !((k, w) in reported)) {
                        reported[k, w] = 1
                        hint = w == "up" ? " (up comes from Prometheus: list its names, or add up)" : ""
                        print dashboard ", " label(k) ": unknown metric " w ", not in " list hint
                    }
                }
                queries++
            }
        }
        printf "%d %d\n", panels, queries > "/dev/stderr"
    }' "$1" -
}

problems=0
total_panels=0
total_queries=0
for file in "${dashboards[@]}"; do
    name=$(basename "$file")
    if ! node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$file" 2>/dev/null; then
        echo "check-dashboards: $name is not valid JSON: $(node -e 'try { JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")) } catch (e) { console.log(e.message) }' "$file" 2>&1)" >&2
        problems=$((problems + 1))
        continue
    fi
    counts=$(mktemp)
    found=$(flatten "$file" | check "$metrics" "$name" 2>"$counts")
    read -r panels queries <"$counts"
    rm -f "$counts"
    total_panels=$((total_panels + panels))
    total_queries=$((total_queries + queries))
    if [[ -n $found ]]; then
        while IFS= read -r line; do echo "check-dashboards: $line" >&2; done <<<"$found"
        problems=$((problems + $(wc -l <<<"$found")))
    fi
done

if ((problems > 0)); then
    echo "check-dashboards: $problems problem(s) in ${#dashboards[@]} dashboard(s)" >&2
    exit 1
fi
echo "check-dashboards: ${#dashboards[@]} dashboards, $total_panels panels, $total_queries queries: every metric is in $(basename "$metrics")"
