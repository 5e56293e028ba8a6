import MeshtopModel
import Testing

@testable import MeshtopWire

@Suite struct ZipkinTests {
    static func decode(_ text: String) -> Result<[Span], RejectReason> {
        guard case .success(let json) = JSONParser.parse(text) else { return .failure(.json) }
        return ZipkinDecoder.decode(json)
    }

    static func decodeFile(_ name: String) throws -> [Span] {
        let text = String(decoding: try SpanFixtures.bytes(name), as: UTF8.self)
        return try text.split(separator: "\n").flatMap { try decode(String($0)).get() }
    }

    @Test func otelTraceMatchesTheSDKTruth() throws {
        let spans = try Self.decodeFile("zipkin_v2_trace.json")
        #expect(spans.map(\.service) == ["gateway", "gateway", "orders", "orders", "orders", "payments"])
        SpanFixtures.expectMatchesTruth(spans, try SpanFixtures.truth("trace_truth.json"))
    }

    @Test func allThreeZipkinFilesGiveTheSameSpans() throws {
        let array = try Self.decodeFile("zipkin_v2_trace.json")
        #expect(array.count == 6)
        #expect(try Self.decodeFile("zipkin_v2_trace.jsonl") == array)
        #expect(try Self.decodeFile("zipkin_v2_http_bodies.jsonl") == array)
    }

    @Test func zipkinAndJaegerAgreeOnEverySpan() throws {
        let zipkin = try Self.decodeFile("zipkin_v2_trace.json")
        let jaeger = try SpanFixtures.jaegerSpans("jaeger_thrift_trace.datagrams")
        #expect(zipkin.count == jaeger.count)
        for z in zipkin {
            guard let j = jaeger.first(where: { $0.spanID == z.spanID }) else {
                Issue.record("\(z.spanID) only in zipkin")
                continue
            }
            #expect(z.traceID == j.traceID && z.parentID == j.parentID && z.service == j.service)
            #expect(z.name == j.name && z.kind == j.kind)
            #expect(z.startMicros == j.startMicros && z.durationMicros == j.durationMicros)
            #expect(z.isError == j.isError && z.status == j.status && z.statusMessage == j.statusMessage)
            #expect(z.peerService == j.peerService)
            #expect(z.events.map(\.name) == j.events.map(\.name))
            #expect(z.events.map(\.timeMicros) == j.events.map(\.timeMicros))
            #expect(z.events.map { Set($0.attributes) } == j.events.map { Set($0.attributes) })
            // Same tag keys, except that Zipkin has no span.kind tag and puts the status description in `error`.
            #expect(
                Set(z.attributes.map(\.key)).union(["span.kind"])
                    == Set(j.attributes.map(\.key)).subtracting(["otel.status_description"]))
        }
        let charge = try #require(zipkin.first { $0.name == "charge" })
        #expect(charge.attributes[key: "payment.amount"] == .string("19.99"))
        #expect(charge.attributes[key: "error"] == .string("card declined"))
        #expect(
            charge.events.first?.attributes == [
                Attribute("attempt", .int(1)), Attribute("reason", .string("insufficient_funds")),
            ])
        let root = try #require(zipkin.first { $0.name == "GET /checkout" })
        #expect(root.attributes[key: "error"] == .string(""))
        #expect(root.isError && root.parentID == nil && root.statusMessage == nil)
        #expect(
            zipkin.filter(\.isError).map(\.name).sorted() == [
                "GET /checkout", "POST /orders", "POST orders", "POST payments", "charge",
            ])
    }

    @Test func pyZipkinSpans() throws {
        let spans = try Self.decodeFile("py_zipkin_v2.json")
        #expect(try Self.decodeFile("py_zipkin_v2.jsonl") == spans)
        #expect(spans.count == 3)
        #expect(spans.allSatisfy { $0.traceID.hex == "0000000000000000f2a74de452e6b438" })
        #expect(spans.allSatisfy { $0.service == "inventory" })
        let select = spans[0]
        #expect(select.name == "select stock" && select.kind == .internal && !select.isError)
        #expect(select.spanID.hex == "0c5c7fd0a6a3a450" && select.parentID?.hex == "6513270e269e0d37")
        #expect(select.durationMicros == 3141 && select.startMicros == 1_795_733_249_035_815)
        let client = spans[1]
        #expect(client.kind == .client && client.peerService == "warehouse")
        #expect(client.durationMicros == 10221)
        #expect(client.events == [SpanEvent(timeMicros: 1_795_733_249_049_356, name: "retrying")])
        #expect(client.isError && client.status == .error && client.statusMessage == "upstream unavailable")
        let root = spans[2]
        #expect(root.name == "GET /stock/42" && root.kind == .server && root.parentID == nil)
        #expect(root.durationMicros == 19031)
        // No error tag: HTTP 503 on a SERVER span is an error by the HTTP rule; status stays unset.
        #expect(root.isError && root.status == .unset)
        #expect(
            root.attributes == [
                Attribute("http.method", .string("GET")), Attribute("http.path", .string("/stock/42")),
                Attribute("http.status_code", .string("503")),
            ])
    }

    static func one(_ extra: String) throws -> Span {
        let text = #"{"traceId":"1","id":"2","timestamp":10"# + extra + "}"
        return try #require(try decode(text).get().first)
    }

    @Test func errorRulePrecedence() throws {
        #expect(try Self.one(#","tags":{"error":"false","http.status_code":"500"}"#).isError == false)
        #expect(try Self.one(#","tags":{"error":""}"#).isError == true)
        #expect(try Self.one(#","tags":{"otel.status_code":"OK","http.status_code":"500"}"#).isError == false)
        #expect(try Self.one(#","tags":{"otel.status_code":"ERROR"}"#).isError == true)
        #expect(try Self.one(#","kind":"CLIENT","tags":{"http.status_code":"404"}"#).isError == true)
        #expect(try Self.one(#","kind":"SERVER","tags":{"http.status_code":"404"}"#).isError == false)
        #expect(try Self.one(#","tags":{"http.response.status_code":"503"}"#).isError == true)
        #expect(try Self.one(#","tags":{"http.status_code":"200"}"#).isError == false)
    }

    @Test func kindsIdsAndDefaults() throws {
        #expect(try Self.one(#","kind":null"#).kind == .internal)
        #expect(try Self.one("").kind == .internal)
        #expect(try Self.one(#","kind":"PRODUCER""#).kind == .producer)
        #expect(try Self.one(#","kind":"CONSUMER""#).kind == .consumer)
        #expect(try Self.one(#","tags":{"span.kind":"server"}"#).kind == .server)
        let s = try Self.one(#","parentId":"0000000000000000","name":"x","shared":true,"debug":true"#)
        #expect(s.parentID == nil && s.name == "x" && s.service == "unknown" && s.durationMicros == 0)
        #expect(s.traceID == TraceID(high: 0, low: 1) && s.spanID == SpanID(2))
        let upper = try Self.one(#","parentId":"ABCDEF0123456789","tags":{"peer.service":"db","n":5,"b":true}"#)
        #expect(upper.parentID == SpanID(0xABCD_EF01_2345_6789) && upper.peerService == "db")
        #expect(upper.attributes[key: "n"] == .string("5") && upper.attributes[key: "b"] == .string("true"))
        #expect(try Self.decode("[]").get() == [])
    }

    @Test func malformedSpansAreRejected() {
        let bad = [
            #"{"id":"2","timestamp":1}"#, #"{"traceId":"1","timestamp":1}"#, #"{"traceId":"1","id":"2"}"#,
            #"{"traceId":"xyz","id":"2","timestamp":1}"#, #"{"traceId":"1","id":"0","timestamp":1}"#,
            #"{"traceId":"000000000000000000000000000000001","id":"2","timestamp":1}"#,
            #"{"traceId":"1","id":"12345678901234567","timestamp":1}"#,
            #"{"traceId":"1","id":"2","timestamp":-1}"#, #"{"traceId":"1","id":"2","timestamp":"soon"}"#,
            #"{"traceId":"1","id":"2","timestamp":1,"parentId":"zz"}"#,
            #"{"traceId":"1","id":"2","timestamp":1,"annotations":[{"value":"x"}]}"#,
            #"{"traceId":"1","id":"2","timestamp":1,"tags":[1]}"#, #"{"traceId":1,"id":"2","timestamp":1}"#,
            #"[{"traceId":"1","id":"2","timestamp":1},3]"#, #""span""#, "42", "null",
        ]
        for text in bad { #expect(Self.decode(text) == .failure(.zipkin), "\(text)") }
    }

    @Test func annotationValues() {
        #expect(
            ZipkinDecoder.event(time: 5, value: #"{"boom": {"n": 1.5, "ok": false, "s": "x"}}"#)
                == SpanEvent(
                    timeMicros: 5, name: "boom",
                    attributes: [
                        Attribute("n", .double(1.5)), Attribute("ok", .bool(false)), Attribute("s", .string("x")),
                    ]))
        #expect(ZipkinDecoder.event(time: 5, value: #"{"a": 1}"#).name == #"{"a": 1}"#)
        #expect(ZipkinDecoder.event(time: 5, value: #"{"a": {}, "b": {}}"#).name == #"{"a": {}, "b": {}}"#)
        #expect(ZipkinDecoder.event(time: 5, value: "{not json").name == "{not json")
    }
}
