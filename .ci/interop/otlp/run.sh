#!/usr/bin/env bash
# Interop with today's OpenTelemetry SDK: OTLP/HTTP protobuf, OTLP/gRPC and Zipkin JSON → `meshtop collect` →
# exact answers from `meshtop query` (services, topology, logs, metrics) and the receivers' counters.
# Usage: bash .ci/interop/otlp/run.sh [MESHTOP_BINARY]   (default: .build/release/meshtop;
#        env OTLP_INTEROP_VENV to reuse a venv). Needs python3 with venv and pip access to PyPI (requirements.txt).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$(realpath "${1:-.build/release/meshtop}")"
venv="${OTLP_INTEROP_VENV:-/tmp/meshtop-otlp-interop-venv}"
[ -x "$bin" ] || { echo "otlp interop: no meshtop binary at $bin (build first)" >&2; exit 2; }
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q -r "$here/requirements.txt"
py="$venv/bin/python"

work="$(mktemp -d /tmp/meshtop-otlp-interop.XXXXXX)"
collector=""
cleanup() {
  [ -n "$collector" ] && kill "$collector" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Free ports: three TCP (OTLP/HTTP, OTLP/gRPC, Zipkin) and one UDP line listener, chosen by the kernel.
read -r http_port grpc_port zipkin_port line_port < <("$py" - <<'PY'
import socket
tcp = [socket.socket() for _ in range(3)]
for s in tcp: s.bind(("127.0.0.1", 0))
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); udp.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in tcp + [udp]])
PY
)
db="$work/meshtop.db"
"$bin" collect --db "$db" --listen "127.0.0.1:$line_port" --jaeger off --otlp "127.0.0.1:$http_port" \
  --otlp-grpc "127.0.0.1:$grpc_port" --zipkin "127.0.0.1:$zipkin_port" 2>"$work/collect.log" &
collector=$!
for _ in $(seq 100); do grep -q "listening on" "$work/collect.log" && break; sleep 0.1; done
grep -q "listening on" "$work/collect.log" || { cat "$work/collect.log" >&2; exit 1; }
# The gRPC listener binds last: wait until it accepts connections too.
for _ in $(seq 100); do "$py" -c "import socket,sys; socket.create_connection(('127.0.0.1', $grpc_port), 1)" 2>/dev/null && break; sleep 0.1; done

"$py" -W ignore::DeprecationWarning "$here/send_otlp.py" "$http_port" "$grpc_port" "$zipkin_port" "$work/expected.json"

# Every exporter above waited for its answer, so everything is queued: stopping writes it and the last rollups.
kill -TERM "$collector"
status=0; wait "$collector" || status=$?
collector=""
[ "$status" -eq 0 ] || { echo "otlp interop: collector exited with $status" >&2; cat "$work/collect.log" >&2; exit 1; }

for what in services topology logs metrics traces; do
  "$bin" query "$what" --db "$db" --since 1h --format json >"$work/$what.json"
done
"$bin" query stats --db "$db" --format json >"$work/stats.json"
"$py" "$here/check_otlp.py" "$work"
