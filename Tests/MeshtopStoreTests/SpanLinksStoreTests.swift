import Foundation
import MeshtopModel
import MeshtopStore
import Testing

/// Span links (migration `v7-span-links`): stored as a JSON column, NULL without links, read back with the trace.
@Suite struct SpanLinksStoreTests {
    static let trace = TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736")!
    static let other = TraceID(hex: "0af7651916cd43dd8448eb211c80319c")!

    @Test func linksRoundTripAndSpansWithoutLinksStoreNull() throws {
        let store = try MeshtopStore.inMemory()
        let links = [
            SpanLink(
                traceID: Self.trace, spanID: SpanID(0x00f0_67aa_0ba9_02b7),
                attributes: [
                    Attribute("link.reason", .string("caused_by")), Attribute("weight", .double(0.5)),
                ]),
            SpanLink(
                traceID: Self.other, spanID: SpanID(0xb7ad_6b71_6920_3331),
                attributes: [
                    Attribute("messaging.batch.index", .int(3)), Attribute("quote", .string("a \"b\"\n")),
                ]),
        ]
        let linked = Span(
            traceID: Self.trace, spanID: SpanID(0x00f0_67aa_0ba9_02b9), parentID: nil, service: "checkout",
            name: "settle batch", kind: .consumer, startMicros: 1_700_000_000_004_500, durationMicros: 1_500,
            links: links)
        let plain = Span(
            traceID: Self.trace, spanID: SpanID(0x00f0_67aa_0ba9_02b7), parentID: nil, service: "frontend",
            name: "GET /checkout", kind: .client, startMicros: 1_700_000_000_000_000, durationMicros: 5_000)
        try store.write(WriteBatch(spans: [linked, plain]))
        guard case .found(_, let spans, _) = try store.trace(hexPrefix: Self.trace.hex) else {
            Issue.record("trace not found")
            return
        }
        #expect(spans.map(\.name) == ["GET /checkout", "settle batch"])
        #expect(spans[0].links.isEmpty)
        #expect(spans[1].links == links)
        let stored = try store.sql("SELECT name, links FROM spans ORDER BY start_us", limit: nil).rows
        #expect(stored[0] == [.text("GET /checkout"), .null])
        guard case .text(let json) = stored[1][1] else {
            Issue.record("links not text: \(stored[1])")
            return
        }
        #expect(json.hasPrefix("[{\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"span_id\":\"00f067aa0ba902b7\""))
    }
}
