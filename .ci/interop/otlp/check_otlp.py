"""Asserts `meshtop query`'s answers after send_otlp.py: exact requests and errors per service, edges, traces,
log trace context, counter total and histogram count and sum, and clean receiver counters.
Usage: python check_otlp.py WORK_DIR   (expected.json and the query outputs in it; exit 1 listing every mismatch)"""
import json
import os
import sys

work = sys.argv[1]


def load(name):
    with open(os.path.join(work, name + ".json")) as f:
        return json.load(f)


expected = load("expected")
problems = []


def check(what, got, want):
    if got != want:
        problems.append(f"{what}: got {got!r}, want {want!r}")


services = {s["service"]: s for s in load("services")}
check("services", sorted(services), sorted(expected["services"]))
for name, want in expected["services"].items():
    got = services.get(name, {})
    check(f"{name} requests", got.get("requests"), want["requests"])
    check(f"{name} errors", got.get("errors"), want["errors"])

edges = sorted((e["caller"], e["callee"], e["calls"], e["errors"]) for e in load("topology")["edges"])
check("edges (caller, callee, calls, errors)", edges,
      sorted((e["caller"], e["callee"], e["calls"], e["errors"]) for e in expected["edges"]))

traces = {t["trace_id"]: t for t in load("traces")}
check("trace ids", sorted(traces), sorted(expected["trace_ids"]))
check("spans per trace", sorted({t["span_count"] for t in traces.values()}), [3])
check("services per trace", sorted({len(t["services"]) for t in traces.values()}), [2])

logs = sorted((r["service"], r["trace_id"], r["span_id"], r["message"]) for r in load("logs"))
check("logs (service, trace id, span id, message)", logs,
      sorted((r["service"], r["trace_id"], r["span_id"], r["message"]) for r in expected["logs"]))
check("log severities", sorted({r["severity"] for r in load("logs")}), ["error", "info"])

metrics = {}
for m in load("metrics"):
    metrics.setdefault(m["name"], []).append(m)
orders = metrics.get("interop.orders", [])
check("interop.orders type", sorted({m["type"] for m in orders}), ["counter"])
check("interop.orders total (counted once over 3 cumulative exports)",
      sum(m.get("count", 0) for m in orders), expected["metrics"]["interop.orders"]["total"])
latency = metrics.get("interop.latency", [])
check("interop.latency type", sorted({m["type"] for m in latency}), ["distribution"])
check("interop.latency count", sum(m.get("count", 0) for m in latency), expected["metrics"]["interop.latency"]["count"])
check("interop.latency sum", sum(m.get("sum", 0) for m in latency), expected["metrics"]["interop.latency"]["sum"])

stats = load("stats")
check("stored spans", stats["parsed"]["spans"], 3 * len(expected["trace_ids"]))
check("stored logs", stats["parsed"]["logs"], len(expected["logs"]))
check("rejected", stats["rejected"], {})
check("dropped", stats["dropped"], 0)
receivers = stats.get("receivers", {})
check("receivers", sorted(receivers), ["otlp_grpc", "otlp_http", "zipkin"])
for name, counters in receivers.items():
    check(f"{name}: every request answered 2xx", counters.get("status_2xx"), counters.get("requests"))
    check(f"{name}: nothing rejected", counters.get("rejected", 0), 0)

if problems:
    print("otlp interop: FAILED")
    for p in problems:
        print("  " + p)
    sys.exit(1)
print(f"otlp interop: ok ({len(services)} services, {len(edges)} edges, {len(traces)} traces, {len(logs)} logs, "
      f"counter {sum(m.get('count', 0) for m in orders):g}, histogram {sum(m.get('count', 0) for m in latency)} / "
      f"{sum(m.get('sum', 0) for m in latency):g}; receivers {json.dumps(receivers, sort_keys=True)})")
