import MeshtopModel
import MeshtopQuery
import Testing

/// Span links in `query trace`: the JSON field `links`, and a line under the span in the tree.
@Suite struct SpanLinksRenderTests {
    static let trace = TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736")!
    static let other = TraceID(hex: "0af7651916cd43dd8448eb211c80319c")!

    static var detail: TraceDetail {
        let root = Span(
            traceID: trace, spanID: SpanID(1), parentID: nil, service: "frontend", name: "GET /checkout",
            kind: .server, startMicros: 1_000_000, durationMicros: 100_000)
        let batch = Span(
            traceID: trace, spanID: SpanID(2), parentID: SpanID(1), service: "orders", name: "settle",
            kind: .consumer, startMicros: 1_050_000, durationMicros: 50_000,
            links: [
                SpanLink(traceID: trace, spanID: SpanID(1), attributes: [Attribute("link.reason", .string("cause"))]),
                SpanLink(traceID: other, spanID: SpanID(0xb7ad_6b71_6920_3331)),
            ])
        return TraceDetail(traceID: trace, spans: [root, batch])
    }

    @Test func jsonListsEachLinkWithItsIdsAndAttributes() {
        let text = JSONRenderer.encode(Records.trace(Self.detail))
        #expect(text.contains(#""events":[],"links":[]}"#))
        #expect(
            text.contains(
                """
                "links":[{"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"0000000000000001",\
                "attributes":{"link.reason":"cause"}},{"trace_id":"0af7651916cd43dd8448eb211c80319c",\
                "span_id":"b7ad6b7169203331","attributes":{}}]}
                """))
    }

    @Test func treeShowsALineUnderTheSpanPerLink() {
        let lines = TraceTreeRenderer.render(Self.detail, width: 80).split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        #expect(lines[2].hasPrefix("*   orders settle"))
        #expect(lines[3] == "      -> link span 0000000000000001 of this trace link.reason=cause")
        #expect(lines[4] == "      -> link trace 0af7651916cd43dd8448eb211c80319c span b7ad6b7169203331")
    }
}
