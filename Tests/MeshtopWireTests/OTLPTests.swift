import Foundation
import MeshtopModel
import Testing

@testable import MeshtopWire

@Suite struct OTLPTests {
    /// Written by hand after the proto3 JSON mapping (open-telemetry/opentelemetry-proto `docs/specification.md`):
    /// the `charge` and `POST payments` spans of the fixture trace, plus a legacy-shaped resource.
    static let document = #"""
        {"resourceSpans": [
          {"resource": {"attributes": [
              {"key": "service.name", "value": {"stringValue": "payments"}},
              {"key": "service.version", "value": {"stringValue": "0.9.0"}},
              {"key": "http.route", "value": {"stringValue": "resource loses to span"}}]},
           "schemaUrl": "https://opentelemetry.io/schemas/1.21.0",
           "scopeSpans": [{
             "scope": {"name": "meshtop.fixtures.payments", "version": "0.1.0"},
             "spans": [{
               "traceId": "B8A1ABCD1A6916C74DA4F9FC3C6DA5D7", "spanId": "FD724452CCEA71FF",
               "parentSpanId": "4a14876aeaff1a09", "traceState": "", "flags": 257,
               "name": "charge", "kind": 2,
               "startTimeUnixNano": "1795733245740713192", "endTimeUnixNano": "1795733245771038495",
               "attributes": [
                 {"key": "http.route", "value": {"stringValue": "/charge"}},
                 {"key": "payment.amount", "value": {"doubleValue": 19.99}},
                 {"key": "payment.retry", "value": {"boolValue": false}},
                 {"key": "http.status_code", "value": {"intValue": "502"}},
                 {"key": "attempts", "value": {"intValue": 3}},
                 {"key": "tags", "value": {"arrayValue": {"values": [{"stringValue": "a"}, {"intValue": "1"}]}}},
                 {"key": "card", "value": {"kvlistValue": {"values": [
                    {"key": "brand", "value": {"stringValue": "visa"}},
                    {"key": "last4", "value": {"intValue": "4242"}}]}}},
                 {"key": "raw", "value": {"bytesValue": "3q2+7w=="}},
                 {"key": "ratio", "value": {"doubleValue": "-Infinity"}},
                 {"key": "empty", "value": {}}],
               "droppedAttributesCount": 0,
               "events": [{"timeUnixNano": "1795733245760862107", "name": "card declined",
                 "attributes": [{"key": "reason", "value": {"stringValue": "insufficient_funds"}},
                                {"key": "attempt", "value": {"intValue": "1"}}]}],
               "links": [],
               "status": {"code": 2, "message": "card declined"}}]}]},
          {"resource": {"attributes": []},
           "instrumentationLibrarySpans": [{
             "instrumentationLibrary": {"name": "legacy"},
             "spans": [{
               "traceId": "b8a1abcd1a6916c74da4f9fc3c6da5d7", "spanId": "4a14876aeaff1a09", "parentSpanId": "",
               "name": "POST payments", "kind": "SPAN_KIND_CLIENT",
               "startTimeUnixNano": 1795733245740627000, "endTimeUnixNano": 1795733245771103499,
               "attributes": [{"key": "http.status_code", "value": {"intValue": 404}},
                              {"key": "peer.service", "value": {"stringValue": "payments"}}],
               "status": {"code": "STATUS_CODE_UNSET"}}]}]}]}
        """#

    static func decode(_ text: String) -> Result<[Span], RejectReason> {
        guard case .success(let json) = JSONParser.parse(text) else { return .failure(.json) }
        return OTLPDecoder.decode(json)
    }

    @Test func handWrittenDocument() throws {
        let spans = try Self.decode(Self.document).get()
        #expect(spans.count == 2)
        let charge = spans[0]
        #expect(charge.traceID.hex == "b8a1abcd1a6916c74da4f9fc3c6da5d7")
        #expect(charge.spanID.hex == "fd724452ccea71ff" && charge.parentID?.hex == "4a14876aeaff1a09")
        #expect(charge.service == "payments" && charge.name == "charge" && charge.kind == .server)
        // Same rounding as the exporters: the values in trace_truth.json.
        #expect(charge.startMicros == 1_795_733_245_740_713 && charge.durationMicros == 30325)
        #expect(charge.status == .error && charge.statusMessage == "card declined" && charge.isError)
        #expect(
            charge.attributes == [
                Attribute("http.route", .string("/charge")), Attribute("payment.amount", .double(19.99)),
                Attribute("payment.retry", .bool(false)), Attribute("http.status_code", .int(502)),
                Attribute("attempts", .int(3)), Attribute("tags", .array([.string("a"), .int(1)])),
                Attribute("card", .map([Attribute("brand", .string("visa")), Attribute("last4", .int(4242))])),
                Attribute("raw", .string("3q2+7w==")), Attribute("ratio", .double(-.infinity)),
                Attribute("empty", .string("")),
                Attribute("otel.scope.name", .string("meshtop.fixtures.payments")),
                Attribute("otel.scope.version", .string("0.1.0")),
                Attribute("service.name", .string("payments")), Attribute("service.version", .string("0.9.0")),
            ])
        #expect(
            charge.events == [
                SpanEvent(
                    timeMicros: 1_795_733_245_760_862, name: "card declined",
                    attributes: [Attribute("reason", .string("insufficient_funds")), Attribute("attempt", .int(1))])
            ])
        let client = spans[1]
        #expect(client.service == "unknown" && client.kind == .client && client.parentID == nil)
        #expect(client.startMicros == 1_795_733_245_740_627 && client.durationMicros == 30476)
        #expect(client.status == .unset && client.statusMessage == nil)
        // 404 on a CLIENT span is an error by the HTTP rule.
        #expect(client.isError && client.peerService == "payments")
        #expect(client.attributes[key: "otel.scope.name"] == .string("legacy"))
    }

    static func one(_ fields: String, status: String = "") -> Result<[Span], RejectReason> {
        decode(
            #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"000000000000000000000000000000aa","#
                + #""spanId":"00000000000000bb","startTimeUnixNano":"1000","endTimeUnixNano":"2000""# + fields
                + "}]}]}]}")
    }

    @Test func statusAndKindVariants() throws {
        let http500 = #"{"key":"http.status_code","value":{"intValue":"500"}}"#
        let ok = try #require(try Self.one(#","status":{"code":1},"attributes":["# + http500 + "]").get().first)
        #expect(ok.status == .ok && ok.isError)
        let okByOtel = try Self.one(
            #","attributes":[{"key":"otel.status_code","value":{"stringValue":"OK"}},"# + http500 + "]"
        ).get()
        #expect(okByOtel.first?.isError == false)
        #expect(try Self.one(#","kind":5"#).get().first?.kind == .consumer)
        #expect(try Self.one(#","kind":"SPAN_KIND_PRODUCER""#).get().first?.kind == .producer)
        #expect(try Self.one(#","kind":99"#).get().first?.kind == .unspecified)
        #expect(try Self.one(#","status":{"code":"STATUS_CODE_ERROR"}"#).get().first?.isError == true)
        #expect(try Self.one(#","parentSpanId":"0000000000000000""#).get().first?.parentID == nil)
        let short = try #require(try Self.one("").get().first)
        #expect(short.startMicros == 1 && short.durationMicros == 1 && short.name == "" && short.kind == .unspecified)
        #expect(try Self.decode(#"{"resourceSpans":[]}"#).get() == [])
    }

    @Test func malformedDocumentsAreRejected() throws {
        let bad = [
            #"{"resourceSpans":{}}"#, #"{"resourceSpans":[1]}"#, #"{"traceId":"aa"}"#, "[]",
            #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"spanId":"00000000000000bb"}]}]}]}"#,
        ]
        for text in bad { #expect(Self.decode(text) == .failure(.otlp), "\(text)") }
        #expect(Self.one(#","parentSpanId":"xyz""#) == .failure(.otlp))
        let good = String(decoding: OTLPEncoder.encode([SampleSpans.jaeger()[0]]), as: UTF8.self)
        #expect(try Self.decode(good).get().count == 1)
        for (from, to) in [
            ("8000000000000001fffffffffffffffe", "8000000000000001ffffffffffffffzz"),
            ("fd724452ccea71ff", "0000000000000000"), ("fd724452ccea71ff", "fd72"),
            ("startTimeUnixNano", "start"), (#""endTimeUnixNano":""#, #""endTimeUnixNano":"x"#),
        ] {
            let text = good.replacingOccurrences(of: from, with: to)
            #expect(text != good)
            #expect(Self.decode(text) == .failure(.otlp), "\(from) → \(to)")
        }
    }

    @Test func encoderRoundTripsEveryFieldKind() throws {
        let spans = SampleSpans.jaeger().map { s in
            var s = s
            s.attributes.append(Attribute("service.name", .string(s.service)))
            return s
        }
        let json = try JSONParser.parse(OTLPEncoder.encode(spans)).get()
        #expect(try OTLPDecoder.decode(json).get() == spans)
    }
}
