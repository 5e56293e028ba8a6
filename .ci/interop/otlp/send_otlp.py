"""Sends traces, logs and metrics with the current OpenTelemetry Python SDK to `meshtop collect`'s receivers, and
writes what meshtop must answer to EXPECTED_JSON.

Usage: python send_otlp.py OTLP_HTTP_PORT OTLP_GRPC_PORT ZIPKIN_PORT EXPECTED_JSON

Per protocol (OTLP/HTTP protobuf, OTLP/gRPC, Zipkin JSON) two services, web-<p> → api-<p>: TRACES traces of a
web SERVER span, its CLIENT call and the api SERVER span under it, the first ERRORS of them failing in api (and in
the client span). Logs through the SDK's LoggingHandler inside spans (OTLP/HTTP and OTLP/gRPC), so they carry
trace context. Metrics over OTLP/HTTP with cumulative temporality, exported twice by force_flush():
a counter (5, then +3) and a histogram (3, 7, 30, then 120).
"""
import json
import logging
import sys

from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter as GRPCLogExporter
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GRPCSpanExporter
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter as HTTPLogExporter
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HTTPSpanExporter
from opentelemetry.exporter.zipkin.json import ZipkinExporter
from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode, set_span_in_context

http_port, grpc_port, zipkin_port = (int(a) for a in sys.argv[1:4])
expected_path = sys.argv[4]
HTTP = f"http://127.0.0.1:{http_port}"
TRACES = 4
ERRORS = 1


def span_exporter(protocol):
    if protocol == "http":
        return HTTPSpanExporter(endpoint=f"{HTTP}/v1/traces")
    if protocol == "grpc":
        return GRPCSpanExporter(endpoint=f"127.0.0.1:{grpc_port}", insecure=True)
    return ZipkinExporter(endpoint=f"http://127.0.0.1:{zipkin_port}/api/v2/spans")


def log_exporter(protocol):
    if protocol == "http":
        return HTTPLogExporter(endpoint=f"{HTTP}/v1/logs")
    return GRPCLogExporter(endpoint=f"127.0.0.1:{grpc_port}", insecure=True)


def traces_and_logs(protocol, expected):
    web, api = f"web-{protocol}", f"api-{protocol}"
    providers = {}
    for service in (web, api):
        p = TracerProvider(resource=Resource.create({"service.name": service}))
        # Simple: each span is exported when it ends, so nothing waits in a batch when the script exits.
        p.add_span_processor(SimpleSpanProcessor(span_exporter(protocol)))
        providers[service] = p
    log_provider = None
    logger = None
    if protocol != "zipkin":
        log_provider = LoggerProvider(resource=Resource.create({"service.name": api}))
        log_provider.add_log_record_processor(SimpleLogRecordProcessor(log_exporter(protocol)))
        logger = logging.getLogger(f"interop.{protocol}")
        logger.propagate = False
        logger.setLevel(logging.INFO)
        logger.addHandler(LoggingHandler(level=logging.INFO, logger_provider=log_provider))
    web_tracer = providers[web].get_tracer("interop.web")
    api_tracer = providers[api].get_tracer("interop.api")
    for i in range(TRACES):
        failing = i < ERRORS
        with web_tracer.start_as_current_span("GET /page", kind=SpanKind.SERVER) as root:
            with web_tracer.start_as_current_span("GET /api", kind=SpanKind.CLIENT) as call:
                # The api service continues the call's context, as a propagated traceparent would.
                with api_tracer.start_as_current_span(
                        "GET /api", context=set_span_in_context(call), kind=SpanKind.SERVER) as server:
                    if logger is not None:
                        if failing:
                            logger.error("order %d failed", i)
                        else:
                            logger.info("order %d served", i)
                        expected["logs"].append({
                            "service": api, "trace_id": format(server.get_span_context().trace_id, "032x"),
                            "span_id": format(server.get_span_context().span_id, "016x"),
                            "message": f"order {i} {'failed' if failing else 'served'}"})
                    if failing:
                        server.set_status(Status(StatusCode.ERROR, "out of stock"))
                if failing:
                    call.set_status(Status(StatusCode.ERROR, "upstream 500"))
            expected["trace_ids"].append(format(root.get_span_context().trace_id, "032x"))
    for p in providers.values():
        p.shutdown()
    if log_provider is not None:
        log_provider.shutdown()
    expected["services"][web] = {"requests": TRACES, "errors": 0}
    expected["services"][api] = {"requests": TRACES, "errors": ERRORS}
    expected["edges"].append({"caller": web, "callee": api, "calls": TRACES, "errors": ERRORS})


def metrics(expected):
    # Cumulative temporality is the OTLP exporter's default; the reader only exports when flushed.
    reader = PeriodicExportingMetricReader(
        OTLPMetricExporter(endpoint=f"{HTTP}/v1/metrics"), export_interval_millis=3_600_000)
    provider = MeterProvider(resource=Resource.create({"service.name": "api-http"}), metric_readers=[reader])
    meter = provider.get_meter("interop.metrics")
    orders = meter.create_counter("interop.orders")
    latency = meter.create_histogram("interop.latency", unit="ms")
    orders.add(5, {"region": "eu"})
    for v in (3, 7, 30):
        latency.record(v, {"route": "/api"})
    assert provider.force_flush()
    orders.add(3, {"region": "eu"})
    latency.record(120, {"route": "/api"})
    assert provider.force_flush()
    # Shutting down exports once more, the same cumulative values: it must count once.
    provider.shutdown()
    expected["metrics"] = {"interop.orders": {"total": 8}, "interop.latency": {"count": 4, "sum": 160}}


def main():
    expected = {"services": {}, "edges": [], "logs": [], "trace_ids": []}
    for protocol in ("http", "grpc", "zipkin"):
        traces_and_logs(protocol, expected)
    metrics(expected)
    with open(expected_path, "w") as f:
        json.dump(expected, f, indent=1)
    print(f"sent {3 * TRACES * 3} spans, {len(expected['logs'])} logs and 3 cumulative metric exports")


if __name__ == "__main__":
    main()
