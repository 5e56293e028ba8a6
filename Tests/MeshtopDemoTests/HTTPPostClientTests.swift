import Foundation
import MeshtopModel
import MeshtopNet
import Testing

@testable import MeshtopDemo

@Suite struct HTTPPostClientTests {
    /// The end of a head announcing an empty body.
    static let empty = "Content-Length: 0\r\n\r\n"

    @Test func keepsOneConnectionForManyRequests() throws {
        let server = try ScriptedHTTPServer { _ in ScriptedHTTPServer.ok("{}") }
        defer { server.stop() }
        let client = HTTPPostClient(host: "127.0.0.1", port: server.port)
        for i in 0..<3 {
            let r = try client.post(path: "/v1/traces", contentType: "application/x-protobuf", body: [UInt8(i), 0, 1])
            #expect(r.status == 200)
            #expect(r.body == Array("{}".utf8))
        }
        #expect(client.connections == 1)
        let requests = server.requests
        #expect(requests.map(\.connection) == [1, 1, 1])
        #expect(requests.map(\.path) == ["/v1/traces", "/v1/traces", "/v1/traces"])
        #expect(requests.map(\.body) == [[0, 0, 1], [1, 0, 1], [2, 0, 1]])
        #expect(requests[0].head.contains("Content-Type: application/x-protobuf"))
    }

    /// A server that closes after answering (with or without saying so) costs a reconnect, never a lost request.
    @Test(arguments: [true, false])
    func reconnectsAfterTheServerClosed(announced: Bool) throws {
        let server = try ScriptedHTTPServer { _ in
            var answer = ScriptedHTTPServer.ok(headers: announced ? "Connection: close\r\n" : "")
            answer.close = true
            return answer
        }
        defer { server.stop() }
        let client = HTTPPostClient(host: "127.0.0.1", port: server.port)
        for _ in 0..<3 {
            #expect(try client.post(path: "/v1/logs", contentType: "application/x-protobuf", body: [1]).status == 200)
        }
        #expect(client.connections == 3)
        #expect(server.requests.map(\.connection) == [1, 2, 3], "each request sent once")
    }

    @Test func retryAfterAndChunkedBodies() throws {
        let server = try ScriptedHTTPServer { request in
            if request.path == "/busy" {
                return .init(bytes: Array("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 2\r\n\(Self.empty)".utf8))
            }
            let chunks = "3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n"
            return .init(bytes: Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\(chunks)".utf8))
        }
        defer { server.stop() }
        let client = HTTPPostClient(host: "127.0.0.1", port: server.port)
        let busy = try client.post(path: "/busy", contentType: "application/x-protobuf", body: [])
        #expect(busy.status == 503, "\(busy)")
        #expect(busy.isRetryable && busy.retryAfterSeconds == 2)
        let chunked = try client.post(path: "/chunked", contentType: "application/x-protobuf", body: [])
        #expect(chunked.status == 200 && !chunked.isRetryable)
        #expect(chunked.body == Array("abcde".utf8))
        #expect(client.connections == 1)
    }

    @Test func noServerIsAnError() throws {
        let server = try ScriptedHTTPServer { _ in ScriptedHTTPServer.ok() }
        let port = server.port
        server.stop()
        let client = HTTPPostClient(host: "127.0.0.1", port: port)
        #expect(throws: HTTPPostError.self) {
            try client.post(path: "/v1/traces", contentType: "application/x-protobuf", body: [])
        }
    }
}

@Suite struct OTLPHTTPExporterTests {
    static let span = Span(
        traceID: TraceID(high: 1, low: 2), spanID: SpanID(3), parentID: nil, service: "cart", name: "GET /cart",
        kind: .server, startMicros: 1_700_000_000_000_000, durationMicros: 1_000)

    /// Busy answers keep the request and hold everything back until Retry-After has passed on the exporter's clock.
    @Test func waitsAsToldAfterABusyAnswer() throws {
        final class Script: @unchecked Sendable {
            let lock = NSLock()
            var busy = 1
        }
        let script = Script()
        let server = try ScriptedHTTPServer { _ in
            let busy = script.lock.withLock {
                defer { script.busy -= 1 }
                return script.busy > 0
            }
            return busy
                ? .init(bytes: Array("HTTP/1.1 429 Too Many\r\nRetry-After: 3\r\n\(HTTPPostClientTests.empty)".utf8))
                : ScriptedHTTPServer.ok()
        }
        defer { server.stop() }
        var clock: UInt64 = 1_000
        let exporter = OTLPHTTPExporter(host: "127.0.0.1", port: server.port, now: { clock })
        exporter.export(spans: [Self.span])
        exporter.flush()
        #expect(exporter.counts.retries == 1)
        #expect(exporter.queued == 1)
        exporter.export(logs: [LogRecord(timeMicros: 1_700_000_000_000_000, service: "cart", message: "hi")])
        clock += 2_000_000_000
        exporter.flush()
        #expect(server.requests.count == 1, "nothing sent before Retry-After")
        clock += 1_000_000_000
        exporter.flush()
        #expect(exporter.queued == 0)
        #expect(exporter.counts.requests == 2 && exporter.counts.items == 2)
        #expect(server.requests.map(\.path) == ["/v1/traces", "/v1/traces", "/v1/logs"])
    }

    @Test func dropsTheOldestWhenTheQueueIsFull() throws {
        let exporter = OTLPHTTPExporter(host: "127.0.0.1", port: 9, capacity: 2, now: { 0 })
        for _ in 0..<3 { exporter.enqueue("/v1/traces", [], items: 5) }
        #expect(exporter.queued == 2)
        #expect(exporter.counts.dropped == 5)
    }
}
