"""Asserts what `meshtop collect` STORED after send_clients.py and logger ran.
Usage: python check.py DB EXPECTED_JSON STATS_JSON   (exit 1 listing every mismatch)"""
import json
import sqlite3
import sys

db_path, expected_path, stats_path = sys.argv[1:4]
expected = json.load(open(expected_path))
stats = json.load(open(stats_path))
db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
db.row_factory = sqlite3.Row
problems = []


def check(what, got, want):
    if got != want:
        problems.append(f"{what}: got {got!r}, want {want!r}")


def rows(sql, *args):
    return [dict(r) for r in db.execute(sql, args)]


def hexid(blob):
    return blob.hex() if blob is not None else None


# Spans: the OpenTelemetry trace, as the SDK itself saw it.
spans = {hexid(r["span_id"]): r for r in rows("SELECT * FROM spans")}
check("span count", len(spans), len(expected["spans"]))
for s in expected["spans"]:
    got = spans.get(s["span_id"])
    if got is None:
        problems.append(f"span {s['span_id']} ({s['name']}) not stored")
        continue
    check(f"span {s['name']} trace id", hexid(got["trace_id"]), s["trace_id"])
    check(f"span {s['name']} parent", hexid(got["parent_id"]), s["parent_id"])
    check(f"span {s['name']} service", got["service"], s["service"])
    check(f"span {s['name']} name", got["name"], s["name"])
    check(f"span {s['name']} error", bool(got["error"]), s["error"])
check("span services", sorted({r["service"] for r in spans.values()}), ["backend", "frontend"])

# Logs: util-linux logger (RFC 5424 and 3164), SysLogHandler, DogStatsD event and service check.
logs = rows("SELECT service, severity, message FROM logs ORDER BY id")
by_app = {}
for r in logs:
    by_app.setdefault(r["service"], []).append((r["severity"], r["message"]))
check("logger --rfc5424", ("rfc5424 error" in [m for _, m in by_app.get("billing", [])]), True)
check("logger severities", sorted(s for s, _ in by_app.get("billing", [])), [3, 4])
check("logger --rfc3164 message", sorted(m for _, m in by_app.get("billing", [])), ["rfc3164 warning", "rfc5424 error"])
check("SysLogHandler records", by_app.get("pyapp", []), [(4, "py warning"), (3, "py error"), (6, "py info")])
cart_logs = by_app.get("cart", [])
check("dogstatsd event + service check logs", len(cart_logs), 2)
check("dogstatsd service check CRITICAL is severe", any(s <= 3 for s, _ in cart_logs), True)


# Metrics: rollups per flush; a series may straddle two flush intervals, so counts are summed.
def metric(name):
    return rows("SELECT * FROM metric_rollups WHERE name = ? ORDER BY time_us", name)


def total(name, field="count"):
    return sum((r[field] or 0) for r in metric(name))


check("interop.orders count", total("interop.orders"), 3 + 4 - 1)
check("interop.latency count", total("interop.latency"), 2)
# A flush interval that ends between the samples and the collector's stop leaves a row of count 0 for the idle
# timer (statsd's semantics), with no min or max: only rows with samples are looked at.
lat = [r for r in metric("interop.latency") if r["count"]]
check("interop.latency min", min((r["min"] for r in lat), default=None), 12)
check("interop.latency max", max((r["max"] for r in lat), default=None), 30)
check("interop.queue last", (metric("interop.queue") or [{"last": None}])[-1]["last"], 15)
check("interop.users unique", max((r["uniq"] for r in metric("interop.users")), default=None), 2)
check("interop.pipe.count", total("interop.pipe.count"), 1)
check("cart.adds count", total("cart.adds"), 3)
check("cart.adds service", {r["service"] for r in metric("cart.adds")}, {"cart"})
check("cart.items count", total("cart.items"), 1)
check("cart.value sum", total("cart.value", "sum"), 19.99)
check("cart.open last", (metric("cart.open") or [{"last": None}])[-1]["last"], 7)

# Self-metrics as `meshtop query stats --format json` reports them.
metric_lines = expected["statsd_lines"] + expected["dogstatsd_metric_lines"]
check("stats parsed.spans", stats["parsed"]["spans"], len(expected["spans"]))
check("stats parsed.logs", stats["parsed"]["logs"], 2 + 3 + 2)
check("stats parsed.metrics", stats["parsed"]["metrics"], metric_lines)
check("stats rejected", stats["rejected"], {})
check("stats dropped", stats["dropped"], 0)
check("stats rows.spans", stats["rows"].get("spans"), len(expected["spans"]))
check("stats rows.logs", stats["rows"].get("logs"), 7)
for key in ("received_datagrams", "lines", "db_bytes", "uptime_s"):
    if key not in stats:
        problems.append(f"stats: missing {key}")

if problems:
    print("interop: %d mismatches" % len(problems))
    for p in problems:
        print("  - " + p)
    sys.exit(1)
print(f"interop: ok ({len(spans)} spans, {len(logs)} logs, {stats['parsed']['metrics']} metric samples, "
      f"{stats['received_datagrams']} datagrams)")
