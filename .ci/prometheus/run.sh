#!/usr/bin/env bash
# Prometheus and Alertmanager interop: a collector fed with a known stream is scraped by a real Prometheus, whose
# HTTP API must return exact values; an alert that fires in meshtop must reach a real Alertmanager, then resolve.
# `promtool check metrics` must accept the exposition.
# Usage: bash .ci/prometheus/run.sh [MESHTOP_BINARY]   (needs Debian's prometheus and prometheus-alertmanager)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$(realpath "${1:-.build/debug/meshtop}")"
for tool in prometheus prometheus-alertmanager promtool curl python3; do
  command -v "$tool" >/dev/null || { echo "prometheus interop: $tool is required" >&2; exit 2; }
done
work="$(mktemp -d /tmp/meshtop-prom.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

read -r udp metrics prom am < <(python3 - <<'PY'
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
ts = [socket.socket() for _ in range(3)]
for t in ts: t.bind(("127.0.0.1", 0))
print(u.getsockname()[1], *[t.getsockname()[1] for t in ts])
PY
)

cat >"$work/rules.yaml" <<'YAML'
breakers:
  - caller: ci-web
    callee: ci-db
    preset: sentinel
rules:
  - name: CIQueueHigh
    signal: metric:ci.queue
    aggregation: max
    op: ">"
    threshold: 100
    window: 2s
    severity: page
    summary: "ci.queue at {{value}}"
YAML
cat >"$work/prometheus.yml" <<YAML
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: meshtop
    static_configs: [{targets: ["127.0.0.1:$metrics"]}]
YAML
cat >"$work/alertmanager.yml" <<'YAML'
route: {receiver: devnull, group_wait: 1s, group_interval: 1s, repeat_interval: 1h}
receivers: [{name: devnull}]
YAML

"$bin" collect --db "$work/m.db" --listen "127.0.0.1:$udp" --jaeger off --otlp off --otlp-grpc off --zipkin off \
  --metrics "127.0.0.1:$metrics" --alertmanager "http://127.0.0.1:$am" --rules "$work/rules.yaml" \
  --eval-interval 1s --flush-interval 1s 2>"$work/collect.log" &
pids+=($!)
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prom" \
  --web.listen-address="127.0.0.1:$prom" >"$work/prometheus.log" 2>&1 &
pids+=($!)
prometheus-alertmanager --config.file="$work/alertmanager.yml" --storage.path="$work/am" \
  --web.listen-address="127.0.0.1:$am" --cluster.listen-address= >"$work/alertmanager.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  curl -sf "127.0.0.1:$metrics/metrics" >/dev/null && curl -sf "127.0.0.1:$prom/-/ready" >/dev/null \
    && curl -sf "127.0.0.1:$am/-/ready" >/dev/null && break
  sleep 0.2
done

python3 "$here/feed.py" "$udp"                              # spans: 30 ci-api requests (12 failed), ci-web -> ci-db
"$bin" send --to "127.0.0.1:$udp" 'ci.queue:500|g' >/dev/null  # the alert condition

fail() { echo "prometheus interop: $*" >&2; tail -20 "$work/collect.log" >&2; exit 1; }
query() {  # prints the value of an instant query's first series, or nothing
  curl -sf "127.0.0.1:$prom/api/v1/query" --data-urlencode "query=$1" \
    | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")'
}
wait_for() {  # wait_for DESCRIPTION EXPECTED COMMAND...
  local what="$1" want="$2"; shift 2
  local got=""
  for _ in $(seq 150); do got="$("$@" || true)"; [ "$got" = "$want" ] && { echo "ok: $what = $got"; return 0; }; sleep 0.2; done
  fail "$what: got '$got', want '$want'"
}
alerts() {  # active alert names in Alertmanager
  curl -sf "127.0.0.1:$am/api/v2/alerts" \
    | python3 -c 'import json,sys; print(",".join(sorted(a["labels"]["alertname"] for a in json.load(sys.stdin))))'
}

wait_for "requests of ci-api" 30 query 'meshtop_service_requests_total{service="ci-api"}'
wait_for "errors of ci-api" 12 query 'meshtop_service_errors_total{service="ci-api"}'
wait_for "spanmetrics calls of ci-api errors" 12 \
  query 'sum(traces_span_metrics_calls_total{service_name="ci-api",status_code="STATUS_CODE_ERROR"})'
wait_for "breaker ci-web -> ci-db open" 1 \
  query 'resilience4j_circuitbreaker_state{caller="ci-web",callee="ci-db",state="open"}'
wait_for "Alertmanager has the firing alert" CIQueueHigh alerts
"$bin" send --to "127.0.0.1:$udp" 'ci.queue:5|g' >/dev/null
wait_for "the alert resolved in Alertmanager" "" alerts

curl -sf "127.0.0.1:$metrics/metrics" >"$work/metrics.txt"
promtool check metrics <"$work/metrics.txt" || fail "promtool check metrics rejected the exposition"
curl -sf -H 'Accept: application/openmetrics-text; version=1.0.0' "127.0.0.1:$metrics/metrics" | tail -1 | grep -qx '# EOF' \
  || fail "OpenMetrics exposition does not end with # EOF"
echo "prometheus interop: all checks passed"
