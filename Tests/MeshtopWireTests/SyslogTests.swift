import MeshtopModel
import Testing

@testable import MeshtopWire

@Suite struct SyslogTests {
    func decode(_ text: String, context: DecodeContext = Fixture.context) -> LogRecord? {
        let out = Fixture.decode(text, context: context)
        return out.count == 1 ? out[0].log : nil
    }

    /// 2026-11-26T22:47:24Z
    let headerSecond: Int64 = 1_795_733_244_000_000

    @Test func loggerFixtureRFC5424() throws {
        let d = try Fixture.decoded("syslog_logger")
        #expect(d.count == 11)
        let r = try d.map { try #require($0.count == 1 ? $0[0].log : nil) }
        let severities: [Severity] = [
            .error, .warning, .info, .debug, .notice, .info, .error, .error, .warning, .info, .error,
        ]
        #expect(r.map(\.severity) == severities)
        #expect(r.map { $0.attributes[key: "facility"] } == [1, 1, 1, 1, 16, 1, 1, 1, 16, 1, 1].map { .int($0) })
        #expect(r.allSatisfy { $0.service == "checkout" })
        #expect(r[0].timeMicros == 1_795_733_244_483_060)
        #expect(r[1].timeMicros == 1_795_733_244_484_856)
        #expect(r[2].timeMicros == 1_795_733_244_486_621)
        #expect(r[0].host == "vm")
        #expect(r[0].message == "payment declined for order 17")
        #expect(r[0].attributes[key: "procid"] == nil && r[0].attributes[key: "msgid"] == nil)
        #expect(r[0].attributes[key: "timeQuality.tzKnown"] == .string("1"))
        #expect(r[0].attributes[key: "timeQuality.isSynced"] == .string("0"))
        #expect(r[0].attributes[key: "syslog_format"] == .string("rfc5424"))
        #expect(r[1].attributes[key: "procid"] == .string("11876"))
        #expect(r[1].attributes[key: "msgid"] == .string("ORD1"))
        #expect(r[1].attributes[key: "order@32473.id"] == .string("42"))
        #expect(r[1].attributes[key: "order@32473.amount"] == .string("19.99"))
        #expect(r[1].message == "retrying order 42")
        #expect(r[2].message == "no structured data")
        #expect(r[2].attributes[key: "timeQuality.tzKnown"] == nil)
        #expect(r[3].attributes[key: "msgid"] == .string("CACHE") && r[3].message == "cache warm")
        #expect(r[4].timeMicros == Fixture.receivedAt)
        #expect(r[4].host == "10.0.0.9")
        #expect(r[4].message == "minimal header")
        #expect(r[5].message == "café ✓ naïve")
    }

    @Test func loggerFixtureJSONMessagesAreLifted() throws {
        let d = try Fixture.decoded("syslog_logger")
        for (i, r) in [d[6][0].log, d[10][0].log].enumerated() {
            let r = try #require(r)
            #expect(r.message == "order failed")
            #expect(r.traceID?.hex == "b8a1abcd1a6916c74da4f9fc3c6da5d7")
            #expect(r.spanID?.hex == "0512bd1311072231")
            #expect(r.attributes[key: "order_id"] == .int(17))
            #expect(r.attributes[key: "amount"] == .double(19.99))
            #expect(r.severity == .error)
            #expect(r.service == "checkout")
            #expect(r.attributes[key: "msgid"] == (i == 0 ? .string("JSON") : nil))
        }
    }

    @Test func loggerFixtureRFC3164() throws {
        let d = try Fixture.decoded("syslog_logger")
        let r = d[7..<11].map { $0[0].log! }
        #expect(r.allSatisfy { $0.timeMicros == headerSecond && $0.host == "vm" && $0.service == "checkout" })
        #expect(r.allSatisfy { $0.attributes[key: "syslog_format"] == .string("rfc3164") })
        #expect(r.map(\.message) == ["legacy format error", "legacy with pid", "café ✓", "order failed"])
        #expect(r[1].attributes[key: "procid"] == .string("11883"))
        #expect(r[0].attributes[key: "procid"] == nil)
    }

    @Test func pythonFixture() throws {
        let d = try Fixture.decoded("syslog_python")
        let r = try d.map { try #require($0.count == 1 ? $0[0].log : nil) }
        #expect(
            r.map(\.message) == [
                "hello", "boom", "careful", "details", "stock low for sku 42", "tick", "disk full", "café ✓",
                "ERROR billing.worker invoice 9 failed",
            ])
        #expect(r.map(\.severity) == [.info, .error, .warning, .debug, .warning, .debug, .critical, .info, .error])
        #expect(r.map { $0.attributes[key: "facility"] } == [1, 1, 1, 1, 16, 16, 16, 16, 16].map { .int($0) })
        let services = Array(repeating: "unknown", count: 4) + Array(repeating: "inventory", count: 4) + ["billing"]
        #expect(r.map(\.service) == services)
        #expect(r[4..<8].allSatisfy { $0.attributes[key: "procid"] == .string("11833") })
        #expect(r[8].attributes[key: "procid"] == nil)
        #expect(r.allSatisfy { $0.timeMicros == Fixture.receivedAt && $0.host == "10.0.0.9" })
        #expect(r[0].attributes[key: "syslog_format"] == .string("bare"))
    }

    @Test func structuredDataEscapesAndBOM() throws {
        let line = #"<165>1 2003-10-11T22:14:15.003Z h app 1 ID47 [ex@1 a="q\"b" b="s\\l" c="br\]k" d="x\y"][e@2] "#
        let r = try #require(decode(line + "\u{FEFF}msg"))
        #expect(r.attributes[key: "ex@1.a"] == .string("q\"b"))
        #expect(r.attributes[key: "ex@1.b"] == .string("s\\l"))
        #expect(r.attributes[key: "ex@1.c"] == .string("br]k"))
        #expect(r.attributes[key: "ex@1.d"] == .string("x\\y"))
        #expect(r.attributes[key: "e@2"] == .bool(true))
        #expect(r.message == "msg")
        #expect(r.severity == .notice)
        #expect(r.attributes[key: "facility"] == .int(20))
        #expect(r.timeMicros == 1_065_910_455_003_000)
    }

    @Test func timestampOffsetsAndFractions() {
        #expect(decode("<14>1 2026-11-26T23:47:24.5+01:00 h a - - - m")?.timeMicros == headerSecond + 500_000)
        #expect(decode("<14>1 2026-11-26T22:47:24.123456Z h a - - - m")?.timeMicros == headerSecond + 123_456)
        #expect(decode("<14>1 2026-11-26T22:47:24Z h a - - -")?.message == "")
    }

    @Test func rfc3164YearRollover() {
        // Received 2027-01-01T00:00:10Z: "Dec 31 23:59:59" belongs to 2026.
        let newYear = DecodeContext(receivedAtMicros: 1_798_761_610_000_000, sourceHost: "h")
        let r = decode("<13>Dec 31 23:59:59 host app: m", context: newYear)
        #expect(r?.timeMicros == 1_798_761_599_000_000)
        // Space-padded day, same year.
        let r2 = decode("<13>Nov  6 01:02:03 host app[7]: m")
        #expect(r2?.timeMicros == 1_793_926_923_000_000)
        #expect(r2?.attributes[key: "procid"] == .string("7"))
        // No hostname: the token after the timestamp is a TAG.
        let r3 = decode("<13>Nov 26 22:47:24 app[9]: hi")
        #expect(r3?.service == "app" && r3?.host == "10.0.0.9" && r3?.message == "hi")
    }

    @Test func logfmtMessageIsLifted() {
        let r = decode("<11>1 - - api - - - level=error msg=\"db down\" trace_id=00000000000000000000000000000abc")
        #expect(r?.message == "db down")
        #expect(r?.traceID == TraceID(high: 0, low: 0xabc))
        #expect(r?.severity == .error)
        #expect(decode("<11>user=bob logged in")?.message == "user=bob logged in")
    }

    @Test func malformedPRI() {
        for bad in ["<>x", "<192>x", "<1234>x", "<01>x", "<1x", "<12", "<-1>x"] {
            let out = Fixture.decode(bad)
            #expect(out.map(\.rejection) == [bad == "<-1>x" || bad == "<>x" ? .unknownFormat : .syslog], "\(bad)")
        }
        #expect(decode("<0>x")?.severity == .emergency)
        #expect(decode("<191>x")?.attributes[key: "facility"] == .int(23))
        #expect(decode("<14>1 not-a-time h a - - - m")?.attributes[key: "syslog_format"] == .string("bare"))
    }
}

@Suite struct SyslogEncoderTests {
    let record = LogRecord(
        timeMicros: 1_795_733_244_483_060, service: "checkout", host: "vm", severity: .warning,
        message: "retrying\norder 42", traceID: TraceID(hex: "b8a1abcd1a6916c74da4f9fc3c6da5d7"),
        spanID: SpanID(hex: "0512bd1311072231"), attributes: [Attribute("procid", .string("11876"))])

    @Test func rfc5424RoundTrip() throws {
        let bytes = SyslogEncoder.rfc5424(record, facility: 16)
        #expect(
            String(decoding: bytes, as: UTF8.self)
                == "<132>1 2026-11-26T22:47:24.483060Z vm checkout 11876 - [trace@32473 "
                + #"trace_id="b8a1abcd1a6916c74da4f9fc3c6da5d7" span_id="0512bd1311072231"] retrying\norder 42"#)
        var out: [Decoded] = []
        WireDecoder.decode(datagram: bytes, context: Fixture.context, into: &out)
        let r = try #require(out.first?.log)
        #expect(out.count == 1)
        #expect(r.timeMicros == record.timeMicros && r.service == "checkout" && r.host == "vm")
        #expect(r.severity == .warning && r.traceID == record.traceID && r.spanID == record.spanID)
        #expect(r.message == #"retrying\norder 42"#)
        #expect(r.attributes[key: "facility"] == .int(16) && r.attributes[key: "procid"] == .string("11876"))
    }

    @Test func rfc3164RoundTrip() throws {
        let bytes = SyslogEncoder.rfc3164(record, appName: "api")
        #expect(String(decoding: bytes, as: UTF8.self) == #"<12>Nov 26 22:47:24 vm api[11876]: retrying\norder 42"#)
        var out: [Decoded] = []
        WireDecoder.decode(datagram: bytes, context: Fixture.context, into: &out)
        let r = try #require(out.first?.log)
        #expect(r.timeMicros == 1_795_733_244_000_000 && r.service == "api" && r.host == "vm")
        #expect(r.severity == .warning && r.attributes[key: "procid"] == .string("11876"))
        var early = record
        early.timeMicros = 1_793_926_923_000_000
        early.host = ""
        #expect(String(decoding: SyslogEncoder.rfc3164(early), as: UTF8.self).hasPrefix("<12>Nov  6 01:02:03 "))
        #expect(String(decoding: SyslogEncoder.rfc3164(early), as: UTF8.self).contains(" localhost checkout[11876]: "))
    }
}
