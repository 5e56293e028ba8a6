import Foundation
import GRDB
import GRPCCore
import MeshtopOTLPProto
import SwiftProtobuf
import Testing

@testable import MeshtopCollector

#if canImport(Glibc)
import Glibc
#endif

/// What hostile or unlucky HTTP clients get from the receivers: clear status codes, bounded memory, and a
/// collector that keeps serving everyone else. Serialized: the memory and connection-count tests measure the
/// process, so they should not overlap each other.
@Suite(.serialized) struct HTTPHostileTests {
    @Test func badRequestsGetClearStatusCodes() async throws {
        let h = try await Harness.withReceivers()
        let client = try HTTPTestClient(h.otlpAddress)
        let truncated = Array(try Fixture.body("otlp-traces-1.pb").prefix(100))
        let r400 = try client.request("/v1/traces", contentType: "application/x-protobuf", body: truncated)
        #expect(r400.status == 400)
        let status = try Google_Rpc_Status(serializedBytes: r400.body)
        #expect(status.code == 3)  // INVALID_ARGUMENT
        #expect(status.message.contains("undecodable"))
        // The connection survives a 400 (keep-alive), and so do the next answers.
        let r415 = try client.request("/v1/traces", contentType: "text/plain", body: Array("hi".utf8))
        #expect(r415.status == 415)
        let r405 = try client.request("/v1/traces", method: "GET")
        #expect(r405.status == 405)
        #expect(r405.headers["allow"] == "POST")
        let r404 = try client.request("/v2/traces", contentType: "application/x-protobuf", body: truncated)
        #expect(r404.status == 404)
        let zipkin = try HTTPTestClient(h.zipkinAddress)
        #expect(try zipkin.request("/api/v1/spans", contentType: "application/json", body: []).status == 404)
        #expect(try zipkin.request("/api/v2/spans", contentType: "application/x-thrift", body: [1]).status == 415)
        // Still serving.
        let ok = try client.request(
            "/v1/traces", contentType: "application/x-protobuf", body: try Fixture.body("otlp-traces-1.pb"))
        #expect(ok.status == 200)
        await h.collector.stop()
        #expect(try h.rows("SELECT 1 FROM spans").count == 1)
        let c = try h.counters()
        #expect(c["otlp_http.requests"] == 5)
        #expect(c["otlp_http.status_4xx"] == 4)
        #expect(c["otlp_http.status_2xx"] == 1)
    }

    @Test func declaredHugeBodyIsRefusedWithoutReadingIt() async throws {
        let h = try await Harness.withReceivers()
        let client = try HTTPTestClient(h.otlpAddress)
        // Only the head is sent: the 413 must come without waiting for 100 MB that never arrive.
        client.send(
            HTTPTestClient.encode(
                "POST", "/v1/traces", contentType: "application/x-protobuf", contentLength: 100 * 1024 * 1024))
        let r = try #require(try client.readResponse())
        #expect(r.status == 413)
        #expect(r.headers["connection"] == "close")
        #expect(client.waitForClose(seconds: 10))
        await h.collector.stop()
        #expect(try h.counters()["otlp_http.status_4xx"] == 1)
    }

    /// 1 GiB of zeros in ~6.5 MB of gzip: refused with 413 once the inflated size passes the limit, without the
    /// collector ever holding more than about the limit.
    @Test func gzipBombIsRefusedWithBoundedMemory() async throws {
        let h = try await Harness.withReceivers()
        let bomb = Gzip.zeroBomb(size: 1 << 30)
        #expect(bomb.count < 8_000_000)
        let before = ProcessMemory.peakBytes
        let client = try HTTPTestClient(h.otlpAddress)
        let request = HTTPTestClient.encode(
            "POST", "/v1/traces", contentType: "application/x-protobuf", body: bomb,
            headers: [("Content-Encoding", "gzip")])
        // The server answers and closes mid-body: write from another thread, read the answer here.
        let writer = Thread { client.send(request) }
        writer.start()
        let r = try #require(try client.readResponse())
        #expect(r.status == 413)
        #expect(String(decoding: r.body, as: UTF8.self).contains("--max-request-size"))
        let grown = ProcessMemory.peakBytes - before
        #expect(grown < 256 * 1024 * 1024, "peak RSS grew by \(grown / 1_048_576) MB")
        // And the collector still serves.
        let next = try HTTPTestClient(h.otlpAddress)
        let ok = try next.request(
            "/v1/traces", contentType: "application/x-protobuf", body: try Fixture.body("otlp-traces-1.pb"))
        #expect(ok.status == 200)
        await h.collector.stop()
        #expect(try h.rows("SELECT 1 FROM spans").count == 1)
    }

    @Test func headersTrickledOneByteAtATimeAreCutOffByTheHeadTimeout() async throws {
        let h = try await Harness.withReceivers { $0.httpHeaderTimeoutMicros = 1_000_000 }
        let client = try HTTPTestClient(h.otlpAddress)
        let head = HTTPTestClient.encode(
            "POST", "/v1/traces", contentType: "application/x-protobuf", body: [], headers: [("X-Slow", "yes")])
        var sent = 0
        var closed = false
        for byte in head {
            guard client.send([byte]) else {
                closed = true
                break
            }
            sent += 1
            // One byte every 250 ms: each byte arrives well inside any per-read timeout, the whole head never
            // within the 1 s head deadline.
            if client.waitForClose(seconds: 0.25) {
                closed = true
                break
            }
        }
        #expect(closed)
        #expect(sent < head.count / 2, "sent \(sent) of \(head.count) bytes before the close")
        await h.collector.stop()
    }

    @Test func aThousandIdleConnectionsDoNotStopANewClientAndAreClosed() async throws {
        let h = try await Harness.withReceivers { $0.httpHeaderTimeoutMicros = 3_000_000 }
        var idle: [HTTPTestClient] = []
        for _ in 0..<1_000 { idle.append(try HTTPTestClient(h.otlpAddress)) }
        let fresh = try HTTPTestClient(h.otlpAddress)
        let r = try fresh.request(
            "/v1/traces", contentType: "application/x-protobuf", body: try Fixture.body("otlp-traces-1.pb"))
        #expect(r.status == 200)
        #expect(idle.filter(\.isClosed).count < 1_000, "idle connections closed before the new client was served")
        // The head deadline closes every idle connection.
        let stillOpen = idle.filter { !$0.waitForClose(seconds: 15) }
        #expect(stillOpen.isEmpty, "\(stillOpen.count) idle connections still open")
        await h.collector.stop()
        #expect(try h.rows("SELECT 1 FROM spans").count == 1)
        #expect(try h.counters()["otlp_http.connections_refused"] == nil)
    }

    /// A full queue tells HTTP clients to retry (429 + Retry-After) and gRPC clients UNAVAILABLE; nothing is
    /// dropped, and what was refused is not counted as received.
    @Test func fullQueueAsksClientsToRetryAndDropsNothing() async throws {
        // The writer waits a minute for a batch of 20,000, so the first request's two spans stay queued and fill
        // a queue of two; `stop()` writes them.
        let h = try await Harness.withReceivers { config in
            config.queueCapacity = 2
            config.batchWindowMicros = 60_000_000
            config.batchMaxRecords = 20_000
        }
        let first = try HTTPTestClient(h.otlpAddress)
        var both = try Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest(
            serializedBytes: try Fixture.body("otlp-traces-1.pb"))
        both.resourceSpans += try Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest(
            serializedBytes: try Fixture.body("otlp-traces-2.pb")
        ).resourceSpans
        let accepted = try first.request(
            "/v1/traces", contentType: "application/x-protobuf", body: try both.serializedBytes())
        #expect(accepted.status == 200)
        let full = try first.request(
            "/v1/traces", contentType: "application/x-protobuf", body: try Fixture.body("otlp-traces-1.pb"))
        #expect(full.status == 429)
        #expect(full.headers["retry-after"] == "1")
        #expect(try Google_Rpc_Status(serializedBytes: full.body).code == 14)
        let zipkin = try HTTPTestClient(h.zipkinAddress)
        let z = try zipkin.request(
            "/api/v2/spans", contentType: "application/json", body: try Fixture.body("zipkin-spans-1.json"))
        #expect(z.status == 429)
        #expect(z.headers["retry-after"] != nil)
        await #expect {
            _ = try await GRPCTestClient.exportTraces(both, to: h.grpcAddress)
        } throws: { error in
            (error as? RPCError)?.code == .unavailable
        }
        await h.collector.stop()
        #expect(try h.rows("SELECT 1 FROM spans").count == 2)
        let c = try h.counters()
        #expect(c["dropped", default: 0] == 0)
        #expect(c["otlp_http.items"] == 2)
        #expect(c["otlp_http.retry_after"] == 1)
        #expect(c["zipkin.retry_after"] == 1)
        #expect(c["otlp_grpc.retry_after"] == 1)
        #expect(c["lines"] == 2)
    }
}
