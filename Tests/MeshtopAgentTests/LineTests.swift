import Foundation
import Testing

@testable import MeshtopAgent

/// Line splitting, joining and encoding, without files or sockets.
@Suite struct LineTests {
    /// Splits `chunks` fed one after another; returns (line, endOffset, truncated).
    func split(_ chunks: [String], maxLine: Int = 100) -> [(String, Int64, Bool)] {
        var s = LineSplitter(maxLine: maxLine)
        var out: [(String, Int64, Bool)] = []
        var base: Int64 = 0
        for c in chunks {
            let bytes = Array(c.utf8)
            bytes.withUnsafeBytes { raw in
                s.feed(raw, base: base) { out.append((String(decoding: $0, as: UTF8.self), $1, $2)) }
            }
            base += Int64(bytes.count)
        }
        return out
    }

    @Test func splitsAcrossChunksAndDropsCR() {
        let got = split(["ab", "c\r\nd", "e\n\nf"])
        #expect(got.map(\.0) == ["abc", "de", ""])
        #expect(got.map(\.1) == [5, 8, 9])
        #expect(got.allSatisfy { !$0.2 })
    }

    @Test func longLineIsCutOnceAndTheRestSkippedEvenAcrossChunks() {
        let got = split(["12345", "6789", "abc\nok\n"], maxLine: 4)
        #expect(got.map(\.0) == ["1234", "ok"])
        #expect(got.map(\.2) == [true, false])
        #expect(got.map(\.1) == [13, 16])
    }

    @Test func cutNeverSplitsAUTF8Sequence() {
        // "aé€" is 1 + 2 + 3 bytes; a 4-byte limit falls inside "€".
        #expect(split(["aé€b\n"], maxLine: 4).map(\.0) == ["aé"])
        #expect(split(["aé", "€b\n"], maxLine: 4).map(\.0) == ["aé"])
        #expect(split(["aé€\n"], maxLine: 6).map(\.0) == ["aé€"])
    }

    func join(_ lines: [String], rule: MultilineRule = .indent, maxBytes: Int = 1_000) -> [Record] {
        var j = MultilineJoiner(rule: rule, maxBytes: maxBytes)
        var out: [Record] = []
        for (i, l) in lines.enumerated() {
            Array(l.utf8).withUnsafeBytes { j.add($0, endOffset: Int64(i + 1), truncated: false, now: 0, into: &out) }
        }
        j.flush(into: &out)
        return out
    }

    @Test func indentRuleJoinsStackTracesButNotJSONLines() {
        let got = join(["boom", "\tat x", "Caused by: y", "  at z", #"{"a":1}"#, "\tat q", "next"])
        #expect(
            got.map { String(decoding: $0.bytes, as: UTF8.self) }
                == ["boom\n\tat x\nCaused by: y\n  at z", #"{"a":1}"#, "\tat q", "next"])
        #expect(got.map(\.endOffset) == [4, 5, 6, 7])
        #expect(got.map(\.lines) == [4, 1, 1, 1])
    }

    @Test func exceptionHeaderContinuesTheLoggedMessage() {
        let got = join([
            "ERROR payment failed", "java.lang.RuntimeException: x", "\tat a.B(B.java:1)",
            "com.acme.DbError", "next: java.lang.Exception", "Exception: plain", "a.b.Exceptional: no",
        ])
        #expect(got.map(\.lines) == [4, 1, 1, 1])
    }

    @Test func firstLinePatternDecidesRecordStarts() throws {
        let rule = MultilineRule.firstLine(try NSRegularExpression(pattern: "^\\["))
        let got = join(["[1] a", "b", "c", "[2] d", "[3] e", "f"], rule: rule)
        #expect(got.map { String(decoding: $0.bytes, as: UTF8.self) } == ["[1] a\nb\nc", "[2] d", "[3] e\nf"])
    }

    @Test func joinedRecordIsCappedAndFlagged() {
        let got = join(["abcdef", " ghij", " klm"], maxBytes: 10)
        #expect(got.count == 1)
        #expect(String(decoding: got[0].bytes, as: UTF8.self) == "abcdef\n gh")
        #expect(got[0].truncated)
        #expect(got[0].endOffset == 3)
    }

    @Test func idleFlushShipsThePendingRecord() {
        var j = MultilineJoiner(rule: .indent, maxBytes: 100)
        var out: [Record] = []
        Array("x".utf8).withUnsafeBytes { j.add($0, endOffset: 2, truncated: false, now: 1_000, into: &out) }
        j.flushIfIdle(now: 1_500, idle: 1_000, into: &out)
        #expect(out.isEmpty)
        j.flushIfIdle(now: 2_000, idle: 1_000, into: &out)
        #expect(out.count == 1)
    }

    func encode(_ text: String, format: LogFormat = .auto, lines: Int = 1, truncated: Bool = false) -> String {
        let e = LineEncoder(format: format, host: "h1")
        let r = Record(bytes: Array(text.utf8), endOffset: 0, truncated: truncated, lines: lines)
        let bytes = e.encode(r, service: "svc", file: "/l.log", time: LineEncoder.timeText(0))
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func jsonGetsAServiceOnlyWhenItHasNone() {
        #expect(encode(#"{"msg":"a"}"#) == #"{"service":"svc","msg":"a"}"#)
        #expect(encode(#"{}"#) == #"{"service":"svc"}"#)
        #expect(encode(#"{"service":"x","msg":"a"}"#) == #"{"service":"x","msg":"a"}"#)
        #expect(encode(#"{"app":"x"}"#) == #"{"app":"x"}"#)
        #expect(encode(#"[{"traceId":"a","id":"b"}]"#) == #"[{"traceId":"a","id":"b"}]"#)
        // A nested "service" key does not count.
        #expect(encode(#"{"a":{"service":"x"}}"#) == #"{"service":"svc","a":{"service":"x"}}"#)
    }

    @Test func logfmtGetsAServiceOnlyWhenItHasNone() {
        #expect(encode("level=info msg=\"a b\"") == "level=info msg=\"a b\" service=svc")
        #expect(encode("service.name=x msg=a") == "service.name=x msg=a")
        #expect(encode("msg=a", format: .plain).hasPrefix(#"{"time""#))
    }

    @Test func plainLinesAreWrappedWithLevelAndEscapes() {
        let line = encode("[WARN] disk \"full\"\u{1b}[31m")
        #expect(
            line == #"{"time":"1970-01-01T00:00:00.000000Z","service":"svc","host":"h1","level":"warn","#
                + #""msg":"[WARN] disk \"full\"\u001b[31m","file":"/l.log"}"#)
        #expect(encode("debug mode on").contains(#""level":"info""#))
        #expect(encode("2026-11-27 10:00:00 ERROR x").contains(#""level":"error""#))
        #expect(encode("2026/11/27 03:00:00 [error] 12#0: open() failed").contains(#""level":"error""#))
        #expect(encode("ERROR:root:boom").contains(#""level":"error""#))
        #expect(encode("<crit> x").contains(#""level":"crit""#))
        #expect(encode("WARNING: low disk").contains(#""level":"warn""#))
        #expect(encode("error: lowercase without brackets").contains(#""level":"info""#))
        #expect(encode("INFORMATIONAL stuff ERRORS").contains(#""level":"info""#))
    }

    @Test func truncatedOrMultiLineStructuredLinesAreWrapped() {
        #expect(encode(#"{"msg":"a"#, truncated: true).contains(#""truncated":true"#))
        #expect(encode("a=1\n\tat x", lines: 2).contains(#""msg":"a=1\n\tat x","file":"/l.log","lines":2"#))
    }

    @Test func invalidUTF8IsReplacedInWrappedRecords() {
        let e = LineEncoder(format: .auto, host: "h")
        let r = Record(bytes: [0x61, 0xff, 0x62], endOffset: 0, truncated: false, lines: 1)
        let out = String(decoding: e.encode(r, service: "s", file: nil, time: LineEncoder.timeText(0)), as: UTF8.self)
        #expect(out.contains("\"msg\":\"a\u{fffd}b\""))
    }
}
