#!/usr/bin/env bash
# PostgreSQL backend CI (docs/scaling.md): a throwaway PostgreSQL 15 server as the postgres user on a free port,
# the MeshtopPostgresTests against it, then end to end with the release binary: two collectors on different UDP
# ports into one database, traces split over them (the leader joins their calls), a PostgreSQL restart during
# ingest (nothing lost beyond what is counted), leader failover by kill -9 of the leader (the other takes over
# within 30 s), exact answers from `meshtop query`.
# Usage: .ci/postgres/run.sh [path/to/meshtop]   (run as root, from the repository root or anywhere)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-$(swift build -c release --show-bin-path)/meshtop}

if [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql-15
fi
pgbin=/usr/lib/postgresql/15/bin

work=$(mktemp -d /tmp/meshtop-ci-pg.XXXXXX)
chmod 755 "$work"
mkdir "$work/data" "$work/sock"
chown postgres "$work/data" "$work/sock"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pids=()
cleanup() {
  local rc=$?
  if [ "$rc" != 0 ]; then  # what the collectors and the server said, for the failure above
    for f in "$work"/collector-*.log "$work/sock/server.log"; do [ -f "$f" ] && { echo "== $f"; tail -n 25 "$f"; }; done
  fi
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  su postgres -s /bin/sh -c "$pgbin/pg_ctl -D $work/data -m immediate stop" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

su postgres -s /bin/sh -c "$pgbin/initdb -D $work/data -A trust -U postgres" >"$work/initdb.log"
pgstart() {
  su postgres -s /bin/sh -c "$pgbin/pg_ctl -D $work/data -l $work/sock/server.log -w \
    -o '-p $port -k $work/sock -c listen_addresses=127.0.0.1 -c fsync=off' start" >/dev/null
}
pgstart
psql() { command psql -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 -Atq "$@"; }
psql -d postgres -c "CREATE DATABASE e2e"
url="postgresql://postgres@127.0.0.1:$port/e2e"
echo "postgres: 15 on 127.0.0.1:$port"

if [ -z "${MESHTOP_CI_SKIP_SWIFT_TESTS:-}" ]; then
echo "--- swift tests against it (MeshtopPostgresTests)"
MESHTOP_TEST_PG_URL="postgresql://postgres@127.0.0.1:$port/postgres" swift test --filter MeshtopPostgresTests 2>&1 \
  | tee "$work/tests.log" | grep -E "Test run|passed|failed|error:" | tail -5
grep -q "Test run with .* passed" "$work/tests.log" || { echo "MeshtopPostgresTests failed"; tail -40 "$work/tests.log"; exit 1; }
if grep -q "notice: MESHTOP_TEST_PG_URL is not set" "$work/tests.log"; then echo "tests did not see the server"; exit 1; fi
fi

free_udp() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pa=$(free_udp); pb=$(free_udp)
start_collector() {  # id port
  "$bin" collect --db "$url" --collector-id "$1" --listen "127.0.0.1:$2" --jaeger off --otlp off --otlp-grpc off --zipkin off \
    --quiet >/dev/null 2>>"$work/collector-$1.log" &
  echo $!
}
ca=$(start_collector a "$pa"); pids+=("$ca")
cb=$(start_collector b "$pb"); pids+=("$cb")
for _ in $(seq 50); do
  [ "$(psql -d e2e -c "SELECT count(*) FROM meshtop_collectors" 2>/dev/null || echo 0)" = 2 ] && break; sleep 0.2
done
for p in "$ca" "$cb"; do kill -0 "$p" 2>/dev/null || { echo "a collector did not start"; cat "$work"/collector-*.log; exit 1; }; done

send() {  # port first count: logfmt lines, in bursts of 100
  local port=$1 first=$2 count=$3 i
  for ((i = first; i < first + count; i += 100)); do
    seq "$i" $((i + 99 < first + count - 1 ? i + 99 : first + count - 1)) \
      | sed 's/.*/level=info service=ci msg="line &"/' | "$bin" send --to "127.0.0.1:$port" >/dev/null
    sleep 0.05
  done
}
stats() { "$bin" query stats --db "${1:-$url}" --format json; }
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval('d' + sys.argv[1]))" "$1"; }
wait_logs() {  # expected stored+dropped [database URL, default $url]
  for _ in $(seq 60); do
    s=$(stats "${2:-$url}")
    got=$(( $(echo "$s" | field '["rows"]["logs"]') + $(echo "$s" | field '["dropped"]') ))
    [ "$got" -ge "$1" ] && return 0
    sleep 0.5
  done
  echo "expected $1 logs stored or dropped, have $got"; echo "$s"; return 1
}

echo "--- two collectors, one database"
send "$pa" 0 1000 & send "$pb" 1000 1000; wait %1 2>/dev/null || true
wait_logs 2000
n=$("$bin" query logs --db "$url" --since 1h --grep line --limit 5000 --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$n" = 2000 ] || { echo "query logs: $n, expected 2000"; exit 1; }
[ "$("$bin" query sql --db "$url" 'SELECT count(DISTINCT collector) FROM logs' --format csv | tr -d '\r' | tail -1)" = 2 ]
[ "$(stats | field '["lines"]')" = 2000 ]
echo "ok: 2000 lines through two collectors, query logs and query stats agree"

echo "--- a trace's spans split over the two collectors: the leader joins the calls"
python3 .ci/postgres/split_trace.py 20 A | "$bin" send --to "127.0.0.1:$pa" >/dev/null
python3 .ci/postgres/split_trace.py 20 B | "$bin" send --to "127.0.0.1:$pb" >/dev/null
edges=""
for _ in $(seq 90); do  # the leader joins every 30 s
  edges=$("$bin" query topology --db "$url" --format json | python3 -c '
import json, sys
print(" ".join("%s>%s:%d/%d" % (e["caller"], e["callee"], e["calls"], e["errors"]) for e in json.load(sys.stdin)["edges"]))')
  [ -n "$edges" ] && break; sleep 1
done
[ "$edges" = "gateway>orders:20/5 orders>payments:20/0" ] || { echo "topology: '$edges'"; exit 1; }
echo "ok: $edges (each call's two spans reached different collectors)"

echo "--- PostgreSQL restart during ingest"
send "$pa" 2000 3000 & sender=$!
sleep 1
su postgres -s /bin/sh -c "$pgbin/pg_ctl -D $work/data -m fast -w stop" >/dev/null
sleep 3
pgstart
wait "$sender"
wait_logs 5000
s=$(stats)
stored=$(echo "$s" | field '["rows"]["logs"]'); dropped=$(echo "$s" | field '["dropped"]')
echo "stored $stored, dropped $dropped (counted), of 5000 sent"
[ $((stored + dropped)) = 5000 ]
grep -q "store unavailable" "$work/collector-a.log" || { echo "collector a did not say 'store unavailable'"; cat "$work/collector-a.log"; exit 1; }
echo "ok: nothing lost beyond what is counted"

echo "--- leader failover by kill -9"
leader=""
for _ in $(seq 60); do
  leader=$(psql -d e2e -c "SELECT collector FROM meshtop_collectors WHERE leader AND updated_us > (extract(epoch from now()) * 1e6)::bigint - 5000000")
  [ -n "$leader" ] && break; sleep 0.5
done
[ -n "$leader" ] || { echo "no leader"; exit 1; }
if [ "$leader" = a ]; then victim=$ca; other=b; else victim=$cb; other=a; fi
killed=$(date +%s.%N)
kill -9 "$victim"
took=""
for _ in $(seq 120); do
  if [ "$(psql -d e2e -c "SELECT leader FROM meshtop_collectors WHERE collector = '$other'")" = t ]; then
    took=$(python3 -c "import time; print(round(time.time() - $killed, 1))"); break
  fi
  sleep 0.25
done
[ -n "$took" ] || { echo "collector $other did not take the lead within 30 s"; exit 1; }
echo "ok: leader $leader killed, $other took over after ${took}s"
python3 -c "import sys; sys.exit(0 if $took <= 30 else 1)"

echo "--- readers: read-only, redacted, exit 3 when unreachable"
if "$bin" query sql --db "$url" "DELETE FROM logs" >/dev/null 2>&1; then echo "query sql wrote"; exit 1; fi
set +e
out=$("$bin" query stats --db "postgresql://u:hunter2@127.0.0.1:1/x" 2>&1); code=$?
set -e
[ "$code" = 3 ] || { echo "unreachable: exit $code, expected 3"; exit 1; }
echo "$out" | grep -q "store unavailable" && ! echo "$out" | grep -q hunter2
echo "ok: $out"
echo "--- two collectors on one host, one port (--reuse-port)"
psql -d postgres -c "CREATE DATABASE share"
share="postgresql://postgres@127.0.0.1:$port/share"
ps_=$(free_udp)
for id in c d; do
  "$bin" collect --db "$share" --collector-id "$id" --reuse-port --listen "127.0.0.1:$ps_" --jaeger off --otlp off \
    --otlp-grpc off --zipkin off --quiet >/dev/null 2>>"$work/collector-$id.log" &
  pids+=($!)
done
for _ in $(seq 50); do
  [ "$(psql -d share -c "SELECT count(*) FROM meshtop_collectors" 2>/dev/null || echo 0)" = 2 ] && break; sleep 0.2
done
[ "$(psql -d share -c "SELECT count(*) FROM meshtop_collectors")" = 2 ] || { echo "two collectors did not share the port"; cat "$work"/collector-[cd].log; exit 1; }
for s in $(seq 0 19); do  # 20 senders, each its own source port: the kernel hashes each to one collector
  seq $((s * 100)) $((s * 100 + 99)) | sed 's/.*/level=info service=ci msg="shared &"/' \
    | "$bin" send --to "127.0.0.1:$ps_" >/dev/null &
done
wait_logs 2000 "$share"
[ "$(echo "$s" | field '["rows"]["logs"]')" = 2000 ] || { echo "$s"; exit 1; }
split=$(psql -d share -c "SELECT string_agg(collector || '=' || n, ' ' ORDER BY collector) FROM (SELECT collector, count(*) AS n FROM logs GROUP BY collector) x")
case "$split" in "c="*" d="*) ;; *) echo "lines did not reach both collectors: $split"; exit 1 ;; esac
echo "ok: 2000 lines from 20 senders on one port, split $split"
echo "postgres e2e: all passed"
