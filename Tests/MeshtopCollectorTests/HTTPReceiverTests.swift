import Foundation
import GRDB
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import MeshtopNet
import MeshtopOTLPProto
import SwiftProtobuf
import Testing

@testable import MeshtopCollector

/// The OTLP/HTTP, OTLP/gRPC and Zipkin receivers end to end over loopback TCP: bodies captured from the
/// OpenTelemetry Python SDK 1.45 (see `Tests/MeshtopOTLPTests/Fixtures/README.md`) in, stored rows and the
/// answers the SDKs expect out.
@Suite struct HTTPReceiverTests {
    static let traceHex = "4bf92f3577b34da6a3ce929d0e0e4736"
    /// The fixtures' T0 plus a minute: spans at T0 are not pruned as old, and the metric series' start times
    /// (when the SDK captured them, later than this) are trusted, so their first cumulative export counts in full.
    static let clock = WallClock.pinned(at: 1_700_000_060_000_000)

    static func harness(configure: (inout CollectorConfig) -> Void = { _ in }) async throws -> Harness {
        try await Harness.withReceivers { config in
            config.wallClock = clock
            configure(&config)
        }
    }

    @Test func otlpProtobufTracesAreStoredAndAnsweredWithAnEmptyResponse() async throws {
        let h = try await Self.harness()
        let client = try HTTPTestClient(h.otlpAddress)
        for file in ["otlp-traces-1.pb", "otlp-traces-2.pb"] {
            let r = try client.request(
                "/v1/traces", contentType: "application/x-protobuf", body: try Fixture.body(file))
            #expect(r.status == 200)
            #expect(r.headers["content-type"] == "application/x-protobuf")
            let answer = try Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse(
                serializedBytes: r.body)
            #expect(!answer.hasPartialSuccess)
        }
        await h.collector.stop()
        let rows = try h.rows(
            "SELECT lower(hex(trace_id)) t, lower(hex(span_id)) s, lower(hex(parent_id)) p, service, name, kind, "
                + "error, duration_us d FROM spans ORDER BY start_us")
        #expect(rows.count == 2)
        #expect(rows.map { $0["t"] as String } == [Self.traceHex, Self.traceHex])
        #expect(rows.map { $0["service"] as String } == ["frontend", "checkout"])
        #expect(rows.map { $0["name"] as String } == ["GET /checkout", "POST /pay"])
        #expect(rows[1]["p"] as String? == "00f067aa0ba902b7")
        #expect(rows[1]["error"] as Int == 1)
        #expect(rows[1]["d"] as Int == 3000)
        let c = try h.counters()
        #expect(c["otlp_http.requests"] == 2)
        #expect(c["otlp_http.items"] == 2)
        #expect(c["otlp_http.status_2xx"] == 2)
        #expect(c["parsed.spans"] == 2)
    }

    @Test func otlpJSONWithBadIDsIsAPartialSuccess() async throws {
        let h = try await Self.harness()
        let client = try HTTPTestClient(h.otlpAddress)
        let traces = try client.request(
            "/v1/traces", contentType: "application/json; charset=utf-8", body: try Fixture.body("otlp-traces.json"))
        #expect(traces.status == 200)
        #expect(traces.headers["content-type"] == "application/json")
        let t = try Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse(
            jsonUTF8Bytes: traces.body)
        #expect(t.partialSuccess.rejectedSpans == 3)
        #expect(!t.partialSuccess.errorMessage.isEmpty)
        // Same connection (keep-alive): the logs, one of them with a 4-byte span id.
        let logs = try client.request(
            "/v1/logs", contentType: "application/json", body: try Fixture.body("otlp-logs.json"))
        #expect(logs.status == 200)
        let l = try Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceResponse(jsonUTF8Bytes: logs.body)
        #expect(l.partialSuccess.rejectedLogRecords == 1)
        await h.collector.stop()
        #expect(try h.rows("SELECT 1 FROM spans").count == 2)
        #expect(try h.rows("SELECT 1 FROM logs").count == 3)
        let c = try h.counters()
        #expect(c["otlp_http.items"] == 5)
        #expect(c["otlp_http.rejected"] == 4)
        #expect(c["rejected.invalid_span_id"] == 2)
        #expect(c["rejected.invalid_trace_id"] == 2)
    }

    @Test func otlpProtobufLogsKeepTraceContext() async throws {
        let h = try await Self.harness()
        let client = try HTTPTestClient(h.otlpAddress)
        for file in ["otlp-logs-1.pb", "otlp-logs-2.pb"] {
            let r = try client.request("/v1/logs", contentType: "application/x-protobuf", body: try Fixture.body(file))
            #expect(r.status == 200)
            #expect(
                !(try Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceResponse(serializedBytes: r.body))
                    .hasPartialSuccess)
        }
        await h.collector.stop()
        let rows = try h.rows(
            "SELECT service, message, lower(hex(trace_id)) t, lower(hex(span_id)) s FROM logs ORDER BY time_us")
        #expect(
            rows.map { $0["message"] as String } == [
                "card declined for order 42", #"{"event":"retry","attempt":2,"ok":false}"#,
            ])
        #expect(rows.allSatisfy { ($0["t"] as String) == Self.traceHex && ($0["s"] as String) == "00f067aa0ba902b8" })
        #expect(rows.allSatisfy { ($0["service"] as String) == "checkout" })
    }

    /// Three cumulative exports (the third repeats the second) give the totals once: counter 8, histogram 4 / 160.
    @Test func otlpCumulativeMetricsCountOnce() async throws {
        let h = try await Self.harness()
        let client = try HTTPTestClient(h.otlpAddress)
        for file in ["otlp-metrics-1.pb", "otlp-metrics-2.pb", "otlp-metrics-3.pb"] {
            let r = try client.request(
                "/v1/metrics", contentType: "application/x-protobuf", body: try Fixture.body(file))
            #expect(r.status == 200)
            _ = try Opentelemetry_Proto_Collector_Metrics_V1_ExportMetricsServiceResponse(serializedBytes: r.body)
        }
        await h.collector.stop()
        let orders = try h.rows("SELECT type, sum(count) n FROM metric_rollups WHERE name = 'orders' GROUP BY type")
        #expect(orders.count == 1)
        #expect(orders.first?["type"] as String? == "counter")
        #expect(orders.first?["n"] as Double? == 8)
        let latency = try h.rows(
            "SELECT sum(count) n, sum(sum) s, min(min) lo, max(max) hi FROM metric_rollups "
                + "WHERE name = 'checkout.latency'")
        #expect(latency.first?["n"] as Double? == 4)
        #expect(latency.first?["s"] as Double? == 160)
        #expect(latency.first?["lo"] as Double? == 3)
        #expect(latency.first?["hi"] as Double? == 120)
    }

    @Test func gzipBodiesAreInflated() async throws {
        let h = try await Self.harness()
        let client = try HTTPTestClient(h.otlpAddress)
        let body = try Gzip.compress(try Fixture.body("otlp-traces-1.pb"))
        #expect(body.prefix(2) == [0x1f, 0x8b])
        let r = try client.request(
            "/v1/traces", contentType: "application/x-protobuf", body: body,
            headers: [("Content-Encoding", "gzip")])
        #expect(r.status == 200)
        let zipkin = try HTTPTestClient(h.zipkinAddress)
        let z = try zipkin.request(
            "/api/v2/spans", contentType: "application/json",
            body: try Gzip.compress(try Fixture.body("zipkin-spans-2.json")),
            headers: [("Content-Encoding", "gzip")])
        #expect(z.status == 202)
        await h.collector.stop()
        let rows = try h.rows("SELECT service FROM spans ORDER BY service")
        #expect(rows.map { $0["service"] as String } == ["checkout", "frontend"])
    }

    @Test func zipkinJSONIsAcceptedWith202() async throws {
        let h = try await Self.harness()
        let client = try HTTPTestClient(h.zipkinAddress)
        for file in ["zipkin-spans-1.json", "zipkin-spans-2.json"] {
            let r = try client.request("/api/v2/spans", contentType: "application/json", body: try Fixture.body(file))
            #expect(r.status == 202)
            #expect(r.body.isEmpty)
        }
        let bad = try client.request("/api/v2/spans", contentType: "application/json", body: Array("{".utf8))
        #expect(bad.status == 400)
        await h.collector.stop()
        let rows = try h.rows(
            "SELECT lower(hex(trace_id)) t, service, kind, error FROM spans ORDER BY start_us")
        #expect(rows.map { $0["service"] as String } == ["frontend", "checkout"])
        #expect(rows.allSatisfy { ($0["t"] as String) == Self.traceHex })
        #expect(rows.map { $0["error"] as Int } == [0, 1])
        let c = try h.counters()
        #expect(c["zipkin.requests"] == 3)
        #expect(c["zipkin.items"] == 2)
        #expect(c["zipkin.status_2xx"] == 2)
        #expect(c["zipkin.status_4xx"] == 1)
    }

    @Test func grpcExportStoresTheTrace() async throws {
        let h = try await Self.harness()
        var request = try Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest(
            serializedBytes: try Fixture.body("otlp-traces-1.pb"))
        request.resourceSpans += try Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest(
            serializedBytes: try Fixture.body("otlp-traces-2.pb")
        ).resourceSpans
        let response = try await GRPCTestClient.exportTraces(request, to: h.grpcAddress)
        #expect(!response.hasPartialSuccess)
        await h.collector.stop()
        let rows = try h.rows("SELECT service, name FROM spans ORDER BY start_us")
        #expect(rows.map { $0["service"] as String } == ["frontend", "checkout"])
        let c = try h.counters()
        #expect(c["otlp_grpc.requests"] == 1)
        #expect(c["otlp_grpc.items"] == 2)
        #expect(c["otlp_grpc.status_2xx"] == 1)
    }
}

/// The generated OTLP trace client on grpc-swift 2's HTTP/2 Posix transport.
enum GRPCTestClient {
    static func exportTraces(
        _ request: Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest, to address: HostPort
    ) async throws -> Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse {
        try await withGRPCClient(
            transport: .http2NIOPosix(
                target: .ipv4(address: address.host, port: address.port), transportSecurity: .plaintext)
        ) { client in
            let traces = Opentelemetry_Proto_Collector_Trace_V1_TraceService.Client(wrapping: client)
            return try await traces.export(request: ClientRequest(message: request))
        }
    }
}
