"""Drives real client libraries at a running `meshtop collect`: PyPI statsd, datadog DogStatsd, CPython's
SysLogHandler, and the OpenTelemetry SDK with the Jaeger thrift exporter (a 2-service trace over UDP).
Usage: python send_clients.py LINE_PORT JAEGER_PORT EXPECTED_JSON_OUT"""
import json
import logging
import logging.handlers
import os
import sys
import time

for var in list(os.environ):  # no OTEL_*/DD_* environment may add tags, resources or exporters
    if var.startswith(("OTEL_", "DD_", "DATADOG_")):
        del os.environ[var]

import statsd
from datadog.dogstatsd.base import DogStatsd
from opentelemetry.exporter.jaeger.thrift import JaegerExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

line_port, jaeger_port, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
host = "127.0.0.1"
pause = lambda: time.sleep(0.002)  # loopback never drops, but keep the receive queue short anyway

# PyPI statsd 4.0.1: one datagram per call; the pipeline sends one datagram of several lines.
c = statsd.StatsClient(host, line_port, prefix="interop")
for _ in range(3):
    c.incr("orders"); pause()
c.incr("orders", 4); pause()
c.decr("orders"); pause()
c.timing("latency", 12); pause()
c.timing("latency", 30); pause()
c.gauge("queue", 10); pause()
c.gauge("queue", 5, delta=True); pause()
c.set("users", "alice"); pause()
c.set("users", "bob"); pause()
with c.pipeline() as p:
    p.incr("pipe.count")
    p.timing("pipe.time", 3)
statsd_lines = 3 + 1 + 1 + 2 + 2 + 2 + 2

# datadog 0.56.0 DogStatsd, unbuffered (its default): metrics, an event and a service check.
ds = DogStatsd(host=host, port=line_port, constant_tags=["env:ci", "service:cart"], disable_telemetry=True,
               origin_detection_enabled=False)
ds.increment("cart.adds", tags=["sku:1"]); pause()
ds.increment("cart.adds", 2, tags=["sku:1"]); pause()
ds.gauge("cart.open", 7); pause()
ds.histogram("cart.items", 3); pause()
ds.distribution("cart.value", 19.99); pause()
ds.event("Deploy", "cart v2 rolled out", alert_type="info"); pause()
ds.service_check("cart.can_connect", DogStatsd.CRITICAL, message="db down"); pause()
ds.close_socket()
dogstatsd_metric_lines = 5

# CPython SysLogHandler over UDP: `<PRI>name[pid]: msg\0`, no header.
log = logging.getLogger("pyapp")
log.propagate = False
log.setLevel(logging.DEBUG)
h = logging.handlers.SysLogHandler(address=(host, line_port), facility=logging.handlers.SysLogHandler.LOG_LOCAL0)
h.setFormatter(logging.Formatter("%(name)s[%(process)d]: %(message)s"))
log.addHandler(h)
log.warning("py warning"); pause()
log.error("py error"); pause()
log.info("py info"); pause()
h.close()

# OpenTelemetry SDK 1.21.0 + Jaeger thrift exporter: frontend → backend, W3C traceparent between them.
memory = InMemorySpanExporter()
providers = []


def tracer(service):
    tp = TracerProvider(resource=Resource.create({"service.name": service}))
    tp.add_span_processor(SimpleSpanProcessor(JaegerExporter(agent_host_name=host, agent_port=jaeger_port)))
    tp.add_span_processor(SimpleSpanProcessor(memory))
    providers.append(tp)
    return tp.get_tracer("meshtop.interop")


frontend, backend = tracer("frontend"), tracer("backend")
prop = TraceContextTextMapPropagator()
with frontend.start_as_current_span("GET /home", kind=SpanKind.SERVER) as root:
    with frontend.start_as_current_span("GET backend", kind=SpanKind.CLIENT,
                                        attributes={"peer.service": "backend"}):
        carrier = {}
        prop.inject(carrier)
        with backend.start_as_current_span("GET /api", context=prop.extract(carrier), kind=SpanKind.SERVER) as s:
            with backend.start_as_current_span("query", kind=SpanKind.INTERNAL):
                time.sleep(0.003)
            s.set_status(Status(StatusCode.ERROR, "backend failed"))
for tp in providers:
    tp.force_flush()
    tp.shutdown()

spans = [{
    "trace_id": format(s.context.trace_id, "032x"), "span_id": format(s.context.span_id, "016x"),
    "parent_id": format(s.parent.span_id, "016x") if s.parent else None,
    "service": s.resource.attributes["service.name"], "name": s.name,
    "error": s.status.status_code == StatusCode.ERROR,
} for s in memory.get_finished_spans()]

with open(out, "w") as f:
    json.dump({"spans": spans, "statsd_lines": statsd_lines, "dogstatsd_metric_lines": dogstatsd_metric_lines}, f)
print(f"sent: {statsd_lines} statsd lines, {dogstatsd_metric_lines} dogstatsd metrics + event + service check, "
      f"3 SysLogHandler records, {len(spans)} spans")
