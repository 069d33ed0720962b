#!/usr/bin/env bash
# A Prometheus scraping `vane serve` under load, and a screenshot of its graph page: starts
# ./vane serve (the embedded model unless VANE_SERVE_ARGS says otherwise) and a Prometheus
# (Debian's `prometheus` package, run by hand) on loopback ports, sends CLIENTS concurrent
# completion loops for SECONDS, then has headless chromium render the graph of each query below
# into docs/img/. Everything it starts is stopped on exit; nothing listens beyond 127.0.0.1.
#   bench/prometheus-scrape.sh [SECONDS (default 90)] [CLIENTS (default 6)]
# Needs: apt-get install -y prometheus chromium
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-90} clients=${2:-6}
vane_port=${VANE_PORT:-18080} prom_port=${PROM_PORT:-19090}
prometheus=${PROMETHEUS:-$(command -v prometheus || echo /usr/bin/prometheus)}
chromium=${CHROMIUM:-$(command -v chromium || echo /usr/bin/chromium)}
for b in "$prometheus" "$chromium" curl; do command -v "$b" >/dev/null || { echo "missing: $b (apt-get install -y prometheus chromium curl)" >&2; exit 1; }; done

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# shellcheck disable=SC2086
"$root/vane" serve --host 127.0.0.1 --port "$vane_port" ${VANE_SERVE_ARGS:-} >"$work/serve.log" 2>&1 &
pids+=($!)
cat >"$work/prometheus.yml" <<EOF
global:
  scrape_interval: 2s
scrape_configs:
  - job_name: vane
    metrics_path: /metrics
    static_configs:
      - targets: ["127.0.0.1:$vane_port"]
EOF
"$prometheus" --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)

for _ in $(seq 120); do curl -sf "127.0.0.1:$vane_port/health" >/dev/null && break; sleep 1; done
curl -sf "127.0.0.1:$vane_port/health" >/dev/null || { cat "$work/serve.log" >&2; exit 1; }
for _ in $(seq 60); do curl -sf "127.0.0.1:$prom_port/-/ready" >/dev/null && break; sleep 1; done

# CLIENTS loops of completions with prompts and lengths that vary, so batches form and break up.
prompts=("And God said" "In the beginning" "Let there be light" "And the earth was without form" "Blessed are" "the LORD")
end=$((SECONDS + seconds))
for c in $(seq "$clients"); do
  (
    i=0
    while [ $SECONDS -lt $end ]; do
      p=${prompts[$(((c + i) % ${#prompts[@]}))]} n=$((16 + (c * 13 + i * 7) % 96))
      curl -s "127.0.0.1:$vane_port/v1/completions" -H 'Content-Type: application/json' \
        -d "{\"prompt\": \"$p\", \"max_tokens\": $n, \"temperature\": 0.8}" >/dev/null || true
      i=$((i + 1))
    done
  ) &
  pids+=($!)
done
sleep "$seconds"
sleep 5  # the last scrapes

mkdir -p "$root/docs/img"
shot() {  # name, PromQL
  local q url
  q=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$2")
  url="http://127.0.0.1:$prom_port/graph?g0.expr=$q&g0.tab=0&g0.range_input=$((seconds / 60 + 1))m"
  "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$(mktemp -d -p "$work")" --virtual-time-budget=15000 \
    --window-size=1400,900 --screenshot="$root/docs/img/$1.png" "$url" >/dev/null 2>&1
  echo "docs/img/$1.png: $2"
}
shot prometheus-batch-size 'rate(vane_decode_batch_size_sum[15s]) / rate(vane_decode_batch_size_count[15s])'
shot prometheus-ttft-p99 'histogram_quantile(0.99, sum by (le) (rate(gen_ai_server_time_to_first_token_seconds_bucket[30s])))'
echo "== the series Prometheus holds from vane (job=vane):"
curl -s "127.0.0.1:$prom_port/api/v1/label/__name__/values" | python3 -c 'import json, sys; print("\n".join(n for n in json.load(sys.stdin)["data"] if n.startswith(("gen_ai_", "vane_"))))'
echo "== docs/grafana/vane-dashboard.json's queries (\$__rate_interval as 30s, every model):"
python3 - "$root/docs/grafana/vane-dashboard.json" "$prom_port" <<'PY'
import json, sys, urllib.parse, urllib.request
dash, port = json.load(open(sys.argv[1])), sys.argv[2]
for p in dash["panels"]:
    for t in p["targets"]:
        expr = t["expr"].replace("$__rate_interval", "30s").replace("$model", ".+")
        url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        result = json.load(urllib.request.urlopen(url))["data"]["result"]
        values = [r["value"][1] for r in result if r["value"][1] not in ("NaN", "+Inf", "-Inf")]
        print(f"  {p['title']} / {t['legendFormat']}: {len(values)} series, {', '.join(f'{float(v):.4g}' for v in values)}")
PY
echo "== requests served: $(curl -s "127.0.0.1:$prom_port/api/v1/query" --data-urlencode 'query=sum(gen_ai_server_request_duration_seconds_count)' \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["data"]["result"][0]["value"][1])')"
