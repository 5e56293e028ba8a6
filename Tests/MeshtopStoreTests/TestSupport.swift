import Foundation
import MeshtopModel
import MeshtopStore

/// A fresh directory under the system temp dir, removed by `cleanup()`.
struct TempDir {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("meshtop-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

enum Fixture {
    static let trace = TraceID(high: 0x0123_4567_89AB_CDEF, low: 0xFEDC_BA98_7654_3210)

    static func span(
        trace: TraceID = trace, id: UInt64 = 0x1111, parent: UInt64? = nil, service: String = "orders",
        start: Int64 = 1_000_000, attributes: [Attribute] = [], events: [SpanEvent] = []
    ) -> Span {
        Span(
            traceID: trace, spanID: SpanID(id), parentID: parent.map(SpanID.init), service: service,
            name: "GET /orders", kind: .server, startMicros: start, durationMicros: 2_500, isError: true,
            status: .error, statusMessage: "boom", peerService: "db", attributes: attributes, events: events)
    }

    static func log(
        _ message: String, time: Int64 = 1_000_000, service: String = "orders", trace: TraceID? = nil
    ) -> LogRecord {
        LogRecord(
            timeMicros: time, service: service, host: "node-1", severity: .error, message: message, traceID: trace,
            spanID: trace == nil ? nil : SpanID(0x2222), attributes: [Attribute("k", .string("v"))])
    }
}
