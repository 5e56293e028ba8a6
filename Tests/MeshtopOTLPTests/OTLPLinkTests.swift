import Foundation
import MeshtopModel
import MeshtopOTLP
import MeshtopWire
import Testing

/// Span links (issue 10): kept with their trace id, span id and attributes.
@Suite struct OTLPLinkTests {
    static let settleSpanID = SpanID(hex: "00f067aa0ba902b9")!
    static let otherTrace = TraceID(hex: "0af7651916cd43dd8448eb211c80319c")!
    static let expected = [
        SpanLink(
            traceID: Fixture.traceID, spanID: Fixture.clientSpanID,
            attributes: [Attribute("link.reason", .string("caused_by"))]),
        SpanLink(
            traceID: otherTrace, spanID: SpanID(hex: "b7ad6b7169203331")!,
            attributes: [Attribute("messaging.batch.index", .int(3))]),
    ]

    /// `otlp-traces-3.pb`: a CONSUMER span with two links (one into this trace, one into another), as the
    /// Python SDK 1.45 exported it.
    @Test func linksFromTheSDK() throws {
        let decoded = try Fixture.decode(.traces, "otlp-traces-3.pb")
        #expect(decoded.rejected == 0)
        let s = try #require(decoded.records.first?.span)
        #expect(s.spanID == Self.settleSpanID)
        #expect(s.parentID == Fixture.serverSpanID)
        #expect(s.name == "settle batch")
        #expect(s.kind == .consumer)
        #expect(s.links == Self.expected)
    }

    /// The spans without links decode with none.
    @Test func spansWithoutLinksHaveNone() throws {
        for name in ["otlp-traces-1.pb", "otlp-traces-2.pb"] {
            #expect(try Fixture.decode(.traces, name).records.compactMap(\.span).allSatisfy(\.links.isEmpty))
        }
    }

    /// The same links in OTLP/JSON (upper-case hex, a 64-bit integer as a string), through the OTLP/HTTP JSON
    /// decoder and through MeshtopWire's datagram decoder: equal; a link with an all-zero trace id is left out
    /// and the span kept.
    @Test func jsonLinksAgreeWithProtobufAndTheWireDecoder() throws {
        let decoded = try Fixture.decode(.traces, "otlp-traces-links.json", encoding: .json)
        #expect(decoded.rejected == 0)
        let s = try #require(decoded.records.first?.span)
        #expect(s.links == Self.expected)
        let body = try Fixture.bytes("otlp-traces-links.json")
        let parsed = try JSONParser.parse(String(decoding: body, as: UTF8.self)).get()
        let wire = try OTLPDecoder.decode(parsed).get()
        #expect(wire.first?.links == Self.expected)
        #expect(wire.first == s)
    }
}
