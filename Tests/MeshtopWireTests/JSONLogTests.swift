import MeshtopModel
import Testing

@testable import MeshtopWire

@Suite struct JSONLogTests {
    func decode(_ text: String) -> LogRecord? {
        let out = Fixture.decode(text)
        return out.count == 1 ? out[0].log : nil
    }

    @Test func aliases() throws {
        let r = try #require(
            decode(
                #"{"@timestamp":"2026-11-26T22:47:24.5Z","lvl":"WARN","message":"slow","service.name":"cart","#
                    + #""traceId":"B8A1ABCD1A6916C74DA4F9FC3C6DA5D7","spanId":"0512bd1311072231","hostname":"web-1","#
                    + #""n":1,"ok":true,"nested":{"a":[1,"x"]},"nil":null,"msg":"second"}"#))
        #expect(r.timeMicros == 1_795_733_244_500_000)
        #expect(r.severity == .warning)
        #expect(r.message == "slow")
        #expect(r.service == "cart")
        #expect(r.traceID?.hex == "b8a1abcd1a6916c74da4f9fc3c6da5d7")
        #expect(r.spanID?.hex == "0512bd1311072231")
        #expect(r.host == "web-1")
        #expect(
            r.attributes == [
                Attribute("n", .int(1)), Attribute("ok", .bool(true)),
                Attribute("nested", .map([Attribute("a", .array([.int(1), .string("x")]))])),
                Attribute("msg", .string("second")),
            ])
    }

    @Test func epochMagnitudes() {
        let want: Int64 = 1_795_733_244_000_000
        #expect(decode(#"{"ts":1795733244,"msg":"s"}"#)?.timeMicros == want)
        #expect(decode(#"{"ts":1795733244.25,"msg":"s"}"#)?.timeMicros == want + 250_000)
        #expect(decode(#"{"time":1795733244123,"msg":"ms"}"#)?.timeMicros == want + 123_000)
        #expect(decode(#"{"time":1795733244123456,"msg":"us"}"#)?.timeMicros == want + 123_456)
        #expect(decode(#"{"timestamp":1795733244123456789,"msg":"ns"}"#)?.timeMicros == want + 123_456)
        #expect(decode(#"{"timestamp":"1795733244","msg":"text"}"#)?.timeMicros == want)
        let bad = decode(#"{"time":"yesterday","msg":"x"}"#)
        #expect(bad?.timeMicros == Fixture.receivedAt)
        #expect(bad?.attributes[key: "time"] == .string("yesterday"))
    }

    @Test func defaultsAndLevels() {
        let r = decode(#"{"a":1}"#)
        #expect(r?.service == "unknown")
        #expect(r?.message == #"{"a":1}"#)
        #expect(r?.severity == .info)
        #expect(r?.host == "10.0.0.9")
        #expect(decode(#"{"level":50}"#)?.severity == .error)
        #expect(decode(#"{"level":3}"#)?.severity == .error)
        #expect(decode(#"{"severity":"fatal"}"#)?.severity == .emergency)
        #expect(decode(#"{"level":"loud"}"#)?.attributes[key: "level"] == .string("loud"))
        #expect(decode(#"{"app":"x","service":{"name":"y"}}"#)?.service == "x")
        #expect(decode(#"{"service":{"name":"y"},"trace":{"id":"abc"}}"#)?.traceID == TraceID(high: 0, low: 0xabc))
        #expect(decode(#"{"trace_id":"xyz"}"#)?.traceID == nil)
        #expect(decode(#"{"span_id":"00000000000000000"}"#)?.attributes[key: "span_id"] != nil)
    }

    @Test func notAnObjectOrMalformed() {
        #expect(Fixture.decode(#"{"a":1"#).map(\.rejection) == [.json])
        #expect(Fixture.decode(#"{"a":1} x"#).map(\.rejection) == [.json])
        #expect(Fixture.decode("{\"a\":\"\u{1}\"}").map(\.rejection) == [.json])
        var out: [Decoded] = []
        let reason = Array("[1]".utf8).withUnsafeBytes {
            JSONLogDecoder.decode(line: $0, context: Fixture.context, into: &out)
        }
        #expect(reason == .jsonLog)
    }

    @Test func multiLineDatagramOfJSONLogs() {
        let out = Fixture.decode("{\"msg\":\"a\"}\n{\"msg\":\"b\"}\n")
        #expect(out.compactMap(\.log).map(\.message) == ["a", "b"])
    }
}

@Suite struct JSONLogEncoderTests {
    @Test func roundTrip() throws {
        let r = LogRecord(
            timeMicros: 1_795_733_244_483_060, service: "orders", host: "web-1", severity: .critical,
            message: "quote \" newline \n esc \u{1b}[31m", traceID: TraceID(hex: "b8a1abcd1a6916c74da4f9fc3c6da5d7"),
            spanID: SpanID(hex: "0512bd1311072231"),
            attributes: [
                Attribute("order_id", .int(17)), Attribute("amount", .double(19.99)), Attribute("ok", .bool(false)),
                Attribute("tags", .array([.string("a")])), Attribute("level", .string("shadowed")),
            ])
        let line = JSONLogEncoder.line(r)
        #expect(!line.contains("\n") && line.contains(#"\u001b"#))
        let back = try #require(Fixture.decode(line).first?.log)
        #expect(back == r)
        var bare = r
        bare.host = ""
        bare.traceID = nil
        #expect(Fixture.decode(JSONLogEncoder.line(bare)).first?.log?.host == "10.0.0.9")
    }
}
