#!/usr/bin/env bash
# K collectors with --reuse-port on one UDP port into a fresh PostgreSQL database, fed by SENDERS load generators
# together (RATE lines/s in all, N lines, 150-byte RFC 5424 lines); prints the lines stored, how they split over
# the collectors, and the CPU of the collectors and of the whole machine (docs/scaling.md, "Several collectors on
# one host").
# Usage: PGURL=postgresql://postgres@127.0.0.1:5432 scripts/bench-reuse-port.sh BIN K RATE N [SENDERS]
# Needs a PostgreSQL server that PGURL's user can create databases on, and the peer benchmark's load generator
# and lines (../shared/bench/peers: ./setup.sh builds /tmp/meshtop-peers/loadgen and its lines).
set -euo pipefail
BIN=$(realpath "$1") K=$2 RATE=$3 N=$4 S=${5:-16}
PGURL=${PGURL:?set PGURL to postgresql://USER@HOST:PORT of a server where USER may create databases}
LOADGEN=${LOADGEN:-/tmp/meshtop-peers/loadgen} LINES=${LINES:-/tmp/meshtop-peers/lines/syslog5424.txt}
PORT=${PORT:-26700} DB=meshtop_reuse_$$
psql() { command psql "$PGURL/${DBNAME:-postgres}" -Atq -v ON_ERROR_STOP=1 "$@"; }
psql -c "CREATE DATABASE $DB"
URL=$PGURL/$DB
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -c "DROP DATABASE IF EXISTS $DB" || true
}
trap cleanup EXIT
for i in $(seq 1 "$K"); do
  "$BIN" collect --db "$URL" --collector-id "c$i" --reuse-port --listen "127.0.0.1:$PORT" --jaeger off --otlp off \
    --otlp-grpc off --zipkin off --retain 3650d --quiet >/dev/null 2>&1 &
  pids+=($!)
done
for _ in $(seq 100); do
  [ "$(DBNAME=$DB psql -c 'SELECT count(*) FROM meshtop_collectors' 2>/dev/null)" = "$K" ] && break; sleep 0.2
done
sleep 1
read -r _ u n sy idl iow _ < /proc/stat; b0=$((u + n + sy)); i0=$((idl + iow))
senders=()
for _ in $(seq 1 "$S"); do
  "$LOADGEN" -p "$PORT" -f "$LINES" -n $((N / S)) -r $((RATE / S)) -t 30 >/dev/null 2>&1 &
  senders+=($!)
done
wait "${senders[@]}"
last=-1; same=0; stored=0
for _ in $(seq 120); do  # until the count holds for 3 s
  stored=$(DBNAME=$DB psql -c "SELECT count(*) FROM logs")
  if [ "$stored" = "$last" ]; then same=$((same + 1)); [ $same -ge 3 ] && break; else same=0; fi
  last=$stored; sleep 1
done
read -r _ u n sy idl iow _ < /proc/stat; busy=$((u + n + sy - b0)); idle=$((idl + iow - i0))
split=$(DBNAME=$DB psql -c "SELECT string_agg(n::text, '/' ORDER BY c) FROM (SELECT collector c, count(*) n FROM logs GROUP BY 1) x")
tck=$(getconf CLK_TCK); cpu=0
for p in "${pids[@]}"; do cpu=$((cpu + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
sent=$((N / S * S))
python3 -c "
k, s, rate, sent, stored, cpu, busy, idle, tck = $K, $S, $RATE, $sent, $stored, $cpu, $busy, $idle, $tck
print(f'collectors={k} senders={s} offered={rate}/s sent={sent} stored={stored} lost={100 * (sent - stored) / sent:.1f}% '
      f'split=$split collectors_cpu={cpu / tck:.1f}s machine_busy={100 * busy / (busy + idle):.0f}% '
      f'machine_cpu_per_line={1e6 * busy / tck / max(stored, 1):.1f}us')"
