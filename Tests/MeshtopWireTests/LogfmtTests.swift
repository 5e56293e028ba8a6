import MeshtopModel
import Testing

@testable import MeshtopWire

@Suite struct LogfmtTests {
    func decode(_ text: String) -> [Decoded] { Fixture.decode(text) }

    @Test func aliasesAndQuoting() throws {
        let r = try #require(
            decode(
                #"ts=2026-11-26T22:47:24Z level=error msg="payment \"declined\"\tnow" app=checkout "#
                    + #"trace_id=b8a1abcd1a6916c74da4f9fc3c6da5d7 span.id=0512bd1311072231 order=17 empty= retry"#
            ).first?.log)
        #expect(r.timeMicros == 1_795_733_244_000_000)
        #expect(r.severity == .error)
        #expect(r.message == "payment \"declined\"\tnow")
        #expect(r.service == "checkout")
        #expect(r.traceID?.hex == "b8a1abcd1a6916c74da4f9fc3c6da5d7")
        #expect(r.spanID?.hex == "0512bd1311072231")
        #expect(
            r.attributes == [
                Attribute("order", .string("17")), Attribute("empty", .string("")), Attribute("retry", .bool(true)),
            ])
    }

    @Test func acceptanceRule() {
        #expect(decode("msg=hello").first?.log?.message == "hello")
        #expect(decode("a=1 b=2").first?.log?.message == "a=1 b=2")
        #expect(decode("a=1 b=2").first?.log?.service == "unknown")
        #expect(decode("a=1").map(\.rejection) == [.unknownFormat])
        #expect(decode("the answer a=1 b=2 was wrong").map(\.rejection) == [.unknownFormat])
        #expect(decode("x = y").map(\.rejection) == [.unknownFormat])
        #expect(decode("=oops msg=hi").map(\.rejection) == [.unknownFormat])
    }

    @Test func malformedQuotes() {
        #expect(decode(#"msg="unterminated level=info"#).map(\.rejection) == [.logfmt])
        #expect(decode(#"msg="a"b level=info"#).map(\.rejection) == [.logfmt])
        #expect(decode(#"msg="ends with backslash\"#).map(\.rejection) == [.logfmt])
        #expect(decode(#"msg="x\qy" level=info"#).first?.log?.message == #"x\qy"#)
    }
}

@Suite struct LogfmtEncoderTests {
    @Test func roundTrip() throws {
        let r = LogRecord(
            timeMicros: 1_795_733_244_483_060, service: "orders", host: "web-1", severity: .notice,
            message: #"a "quoted" \ value"# + "\n2nd line", traceID: TraceID(hex: "b8a1abcd1a6916c74da4f9fc3c6da5d7"),
            spanID: SpanID(hex: "0512bd1311072231"),
            attributes: [Attribute("order_id", .string("17")), Attribute("empty", .string(""))])
        let line = LogfmtEncoder.line(r)
        #expect(
            line == #"time=2026-11-26T22:47:24.483060Z level=notice service=orders host=web-1 "#
                + #"msg="a \"quoted\" \\ value\n2nd line" trace_id=b8a1abcd1a6916c74da4f9fc3c6da5d7 "#
                + #"span_id=0512bd1311072231 order_id=17 empty="""#)
        let back = try #require(Fixture.decode(line).first?.log)
        #expect(back == r)
    }
}
