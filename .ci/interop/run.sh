#!/usr/bin/env bash
# Interop: real clients → `meshtop collect` → what was stored.
# Usage: bash .ci/interop/run.sh [MESHTOP_BINARY]   (default: .build/debug/meshtop; env INTEROP_VENV to reuse a venv)
# Needs python3 with venv + pip access to PyPI (pinned in requirements.txt) and util-linux `logger`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$(realpath "${1:-.build/debug/meshtop}")"
venv="${INTEROP_VENV:-/tmp/meshtop-interop-venv}"
[ -x "$bin" ] || { echo "interop: no meshtop binary at $bin (build first)" >&2; exit 2; }
command -v logger >/dev/null || { echo "interop: util-linux logger is required" >&2; exit 2; }
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q -r "$here/requirements.txt"

work="$(mktemp -d /tmp/meshtop-interop.XXXXXX)"
collector=""
cleanup() {
  [ -n "$collector" ] && kill "$collector" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

read -r line_port jaeger_port < <("$venv/bin/python" - <<'PY'
import socket
socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
PY
)
db="$work/meshtop.db"
"$bin" collect --db "$db" --listen "127.0.0.1:$line_port" --jaeger "127.0.0.1:$jaeger_port" --otlp off --otlp-grpc off --zipkin off 2>"$work/collect.log" &
collector=$!
for _ in $(seq 100); do grep -q "listening on" "$work/collect.log" && break; sleep 0.1; done
grep -q "listening on" "$work/collect.log" || { cat "$work/collect.log" >&2; exit 1; }

"$venv/bin/python" -W ignore::DeprecationWarning "$here/send_clients.py" "$line_port" "$jaeger_port" "$work/expected.json"
logger --rfc5424 -d -n 127.0.0.1 -P "$line_port" -t billing -p user.err "rfc5424 error"
logger --rfc3164 -d -n 127.0.0.1 -P "$line_port" -t billing -p local0.warning "rfc3164 warning"

# Wait until the collector has read everything (received counters are persisted every ~2 s), then stop it.
want_logs=7
for _ in $(seq 100); do
  n="$("$bin" query stats --db "$db" --format json | "$venv/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["parsed"]["logs"])')"
  [ "$n" -ge "$want_logs" ] && break
  sleep 0.2
done
sleep 0.5
kill -TERM "$collector"
status=0; wait "$collector" || status=$?
collector=""
[ "$status" -eq 0 ] || { echo "interop: collector exited with $status" >&2; cat "$work/collect.log" >&2; exit 1; }

"$bin" query stats --db "$db" --format json >"$work/stats.json"
"$venv/bin/python" "$here/check.py" "$db" "$work/expected.json" "$work/stats.json"
