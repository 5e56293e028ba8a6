import Foundation
import MeshtopModel
import MeshtopOTLP
import MeshtopWire
import Testing

@Suite struct OTLPTraceTests {
    /// `otlp-traces-1.pb`: the checkout SERVER span, as the Python SDK 1.45 exported it.
    @Test func serverSpanFromTheSDK() throws {
        let decoded = try Fixture.decode(.traces, "otlp-traces-1.pb")
        #expect(decoded.rejected == 0)
        #expect(decoded.message == nil)
        let spans = decoded.records.compactMap(\.span)
        #expect(spans.count == 1)
        let s = try #require(spans.first)
        Fixture.expectServerSpan(s)
        #expect(s.peerService == nil)
        #expect(
            Array(s.attributes.prefix(4)) == [
                Attribute("http.response.status_code", .int(500)), Attribute("retry", .bool(true)),
                Attribute("amount", .double(12.5)), Attribute("otel.scope.name", .string("shop.checkout")),
            ])
        #expect(s.attributes[key: "service.name"] == .string("checkout"))
        #expect(s.attributes[key: "deployment.environment"] == .string("test"))
        #expect(s.attributes[key: "telemetry.sdk.version"] == .string("1.45.2"))
        #expect(s.attributes[key: "otel.scope.version"] == nil)
        #expect(
            s.events == [
                SpanEvent(
                    timeMicros: 1_700_000_000_002_500, name: "card declined",
                    attributes: [Attribute("card.brand", .string("visa")), Attribute("attempt", .int(2))])
            ])
    }

    /// `otlp-traces-2.pb`: the frontend CLIENT root span of the same trace.
    @Test func clientSpanFromTheSDK() throws {
        let s = try #require(try Fixture.decode(.traces, "otlp-traces-2.pb").records.first?.span)
        #expect(s.traceID == Fixture.traceID)
        #expect(s.spanID == Fixture.clientSpanID)
        #expect(s.parentID == nil)
        #expect(s.service == "frontend")
        #expect(s.name == "GET /checkout")
        #expect(s.kind == .client)
        #expect(s.startMicros == 1_700_000_000_000_000)
        #expect(s.durationMicros == 5000)
        #expect(s.status == .unset)
        #expect(s.statusMessage == nil)
        #expect(!s.isError)
        #expect(s.peerService == "checkout")
        #expect(s.attributes[key: "otel.scope.name"] == .string("shop.frontend"))
        #expect(s.attributes[key: "otel.scope.version"] == .string("1.2.3"))
    }

    /// The hand-written OTLP/JSON body (upper-case hex, kind as a number and a name, 64-bit integers as strings
    /// and numbers, an unknown field) decodes to the same spans as MeshtopWire's OTLP/JSON decoder gives for it,
    /// and its three bad spans are rejected on their own.
    @Test func jsonBodyMatchesTheWireDecoder() throws {
        let body = try Fixture.bytes("otlp-traces.json")
        let decoded = try Fixture.decode(.traces, "otlp-traces.json", encoding: .json)
        #expect(decoded.rejected == 3)
        #expect(decoded.rejectReasons == [.invalidSpanID: 1, .invalidTraceID: 2])
        #expect(decoded.message == "rejected 3 spans: invalid_span_id 1, invalid_trace_id 2")
        let spans = decoded.records.compactMap(\.span)
        #expect(spans.map(\.name) == ["POST /pay", "GET /checkout"])

        // The Wire decoder rejects a whole document with a bad span: compare on the good ones only.
        var json = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        var resources = try #require(json["resourceSpans"] as? [[String: Any]])
        var scopes = try #require(resources[0]["scopeSpans"] as? [[String: Any]])
        scopes[0]["spans"] = Array((scopes[0]["spans"] as? [Any] ?? []).prefix(1))
        resources[0]["scopeSpans"] = scopes
        json["resourceSpans"] = resources
        let cleaned = try JSONSerialization.data(withJSONObject: json)
        let parsed = try JSONParser.parse(String(decoding: cleaned, as: UTF8.self)).get()
        let wire = try OTLPDecoder.decode(parsed).get()
        #expect(spans == wire)
    }

    /// Protobuf and JSON of the same spans give equal `Span` values.
    @Test func protobufAndJSONAgree() throws {
        let json = try Fixture.decode(.traces, "otlp-traces.json", encoding: .json).records.compactMap(\.span)
        let pb = try ["otlp-traces-1.pb", "otlp-traces-2.pb"].flatMap {
            try Fixture.decode(.traces, $0).records.compactMap(\.span)
        }
        #expect(json.count == 2)
        #expect(pb.count == 2)
        for (j, p) in zip(json, pb) {
            #expect(j.traceID == p.traceID)
            #expect(j.spanID == p.spanID)
            #expect(j.parentID == p.parentID)
            #expect(j.service == p.service)
            #expect(j.kind == p.kind)
            #expect(j.startMicros == p.startMicros)
            #expect(j.durationMicros == p.durationMicros)
            #expect(j.status == p.status)
            #expect(j.statusMessage == p.statusMessage)
            #expect(j.isError == p.isError)
            #expect(j.events == p.events)
            // The SDK's resource has telemetry.sdk.* and service.instance.id, the hand body does not.
            #expect(j.attributes.allSatisfy { p.attributes.contains($0) })
        }
    }
}
