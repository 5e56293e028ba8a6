#!/usr/bin/env python3
"""Captures what the OpenTelemetry Python SDK really sends, as fixtures for Tests/MeshtopOTLPTests.

One-off, like scripts/gen-otlp.sh: run it again only to refresh the fixtures for a newer SDK.
Needs opentelemetry-sdk, opentelemetry-exporter-otlp-proto-http and opentelemetry-exporter-zipkin-json (1.45 used).

A capturing HTTP server (stdlib) on a free loopback port answers every POST with 200 (202 for Zipkin) and saves
each body, gzip-decoded, as Fixtures/<name>-<n>.<ext>. Ids and span times are fixed (a deterministic id generator,
explicit start/end times) so the tests can assert exact values; metric timestamps come from the SDK's clock.

Usage: scripts/capture-otlp-fixtures.py [OUT_DIR]   (default Tests/MeshtopOTLPTests/Fixtures)
"""
import gzip
import http.server
import os
import sys
import threading

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.id_generator import IdGenerator
from opentelemetry.trace import SpanKind, Status, StatusCode, NonRecordingSpan, SpanContext, TraceFlags
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.zipkin.json import ZipkinExporter
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
from opentelemetry._logs import SeverityNumber
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.metrics.view import View, ExponentialBucketHistogramAggregation

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "MeshtopOTLPTests", "Fixtures")
NAMES = {"/v1/traces": ("otlp-traces", "pb"), "/v1/logs": ("otlp-logs", "pb"),
         "/v1/metrics": ("otlp-metrics", "pb"), "/api/v2/spans": ("zipkin-spans", "json")}
counts = {}


class Capture(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        name, ext = NAMES.get(self.path, ("unknown", "bin"))
        counts[name] = counts.get(name, 0) + 1
        with open(os.path.join(OUT, f"{name}-{counts[name]}.{ext}"), "wb") as f:
            f.write(body)
        print(f"{self.path} {self.headers.get('Content-Type')} {len(body)} bytes -> {name}-{counts[name]}.{ext}")
        self.send_response(202 if self.path == "/api/v2/spans" else 200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class FixedIds(IdGenerator):
    """Span ids 0x00f067aa0ba902b7, 0x00f067aa0ba902b8, ... and one trace id."""

    def __init__(self):
        self.next_span = 0x00F067AA0BA902B7

    def generate_span_id(self):
        s = self.next_span
        self.next_span += 1
        return s

    def generate_trace_id(self):
        return 0x4BF92F3577B34DA6A3CE929D0E0E4736


T0 = 1_700_000_000_000_000_000  # ns: 2023-11-14T22:13:20Z


def traces(endpoint):
    ids = FixedIds()
    providers = {}
    for service in ("frontend", "checkout"):
        p = TracerProvider(resource=Resource.create({"service.name": service, "deployment.environment": "test"}),
                           id_generator=ids)
        p.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=endpoint + "/v1/traces")))
        p.add_span_processor(SimpleSpanProcessor(ZipkinExporter(endpoint=endpoint + "/api/v2/spans")))
        providers[service] = p
    frontend = providers["frontend"].get_tracer("shop.frontend", "1.2.3")
    checkout = providers["checkout"].get_tracer("shop.checkout")
    client = frontend.start_span("GET /checkout", kind=SpanKind.CLIENT, start_time=T0,
                                 attributes={"http.request.method": "GET", "peer.service": "checkout"})
    # The server side continues the client's context, as a propagated traceparent would.
    remote = trace.set_span_in_context(NonRecordingSpan(SpanContext(
        client.get_span_context().trace_id, client.get_span_context().span_id, is_remote=True,
        trace_flags=TraceFlags(TraceFlags.SAMPLED))), Context())
    server = checkout.start_span("POST /pay", context=remote, kind=SpanKind.SERVER, start_time=T0 + 1_000_000,
                                 attributes={"http.response.status_code": 500, "retry": True, "amount": 12.5})
    server.add_event("card declined", attributes={"card.brand": "visa", "attempt": 2}, timestamp=T0 + 2_500_000)
    server.set_status(Status(StatusCode.ERROR, "payment failed"))
    server.end(end_time=T0 + 4_000_000)
    client.end(end_time=T0 + 5_000_000)
    # otlp-traces-3.pb: a consumer span under the server span with two links, one to the client span of this
    # trace and one to a span of another trace, each with attributes.
    other = SpanContext(0x0AF7651916CD43DD8448EB211C80319C, 0xB7AD6B7169203331, is_remote=True,
                        trace_flags=TraceFlags(TraceFlags.SAMPLED))
    links = [trace.Link(client.get_span_context(), {"link.reason": "caused_by"}),
             trace.Link(other, {"messaging.batch.index": 3})]
    settle = checkout.start_span("settle batch", context=trace.set_span_in_context(server, Context()),
                                 kind=SpanKind.CONSUMER, start_time=T0 + 4_500_000, links=links)
    settle.end(end_time=T0 + 6_000_000)
    return providers, client.get_span_context(), server.get_span_context()


def logs(endpoint, server_ctx):
    p = LoggerProvider(resource=Resource.create({"service.name": "checkout"}))
    p.add_log_record_processor(SimpleLogRecordProcessor(OTLPLogExporter(endpoint=endpoint + "/v1/logs")))
    logger = p.get_logger("shop.checkout.log", "0.1")
    ctx = trace.set_span_in_context(NonRecordingSpan(server_ctx), Context())
    logger.emit(timestamp=T0 + 3_000_000, context=ctx, severity_number=SeverityNumber.ERROR,
                severity_text="ERROR", body="card declined for order 42", attributes={"order.id": 42})
    logger.emit(timestamp=T0 + 3_500_000, context=ctx, severity_number=SeverityNumber.WARN2,
                body={"event": "retry", "attempt": 2, "ok": False})
    return p


def metrics(endpoint):
    exporter = OTLPMetricExporter(endpoint=endpoint + "/v1/metrics")  # cumulative temporality by default
    reader = PeriodicExportingMetricReader(exporter, export_interval_millis=3_600_000)
    p = MeterProvider(resource=Resource.create({"service.name": "checkout"}), metric_readers=[reader],
                      # Instruments no view matches keep their default aggregation.
                      views=[View(instrument_name="payment.size", aggregation=ExponentialBucketHistogramAggregation())])
    meter = p.get_meter("shop.checkout.metrics")
    orders = meter.create_counter("orders", unit="1")
    latency = meter.create_histogram("checkout.latency", unit="ms")
    inflight = meter.create_up_down_counter("inflight")
    temperature = meter.create_gauge("cpu.temperature")
    size = meter.create_histogram("payment.size")
    orders.add(5, {"region": "eu", "method": "card"})
    for v in (3, 7, 30):
        latency.record(v, {"route": "/pay"})
    inflight.add(4)
    temperature.set(61.5)
    for v in (1, 2, 4):
        size.record(v)
    p.force_flush()  # export 1: orders 5, latency {3, 7, 30}
    orders.add(3, {"region": "eu", "method": "card"})
    latency.record(120, {"route": "/pay"})
    inflight.add(-1)
    temperature.set(63.0)
    size.record(8)
    p.force_flush()  # export 2 (cumulative): orders 8, latency {3, 7, 30, 120}
    return p


def main():
    os.makedirs(OUT, exist_ok=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Capture)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    providers, _, server_ctx = traces(endpoint)
    log_provider = logs(endpoint, server_ctx)
    meter_provider = metrics(endpoint)
    for p in list(providers.values()) + [log_provider, meter_provider]:
        p.shutdown()
    server.shutdown()


if __name__ == "__main__":
    main()
