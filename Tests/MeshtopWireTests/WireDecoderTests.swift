import Foundation
import MeshtopModel
import Testing

@testable import MeshtopWire

/// Loads `NAME.datagrams` fixtures (lowercase hex, one datagram per line) and decodes them.
enum Fixture {
    static let receivedAt: Int64 = 1_795_733_245_000_000  // 2026-11-26T…, after the captures
    static let context = DecodeContext(receivedAtMicros: receivedAt, sourceHost: "10.0.0.9")

    static func datagrams(_ name: String) throws -> [[UInt8]] {
        let url = try #require(
            Bundle.module.url(forResource: name, withExtension: "datagrams", subdirectory: "Fixtures"))
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.split(separator: "\n").map { line in
            var bytes: [UInt8] = []
            var it = line.utf8.makeIterator()
            while let hi = it.next(), let lo = it.next() {
                bytes.append(UInt8(String(decoding: [hi, lo], as: UTF8.self), radix: 16)!)
            }
            return bytes
        }
    }

    /// Every datagram decoded, one array per datagram.
    static func decoded(_ name: String) throws -> [[Decoded]] {
        try datagrams(name).map { d in
            var out: [Decoded] = []
            WireDecoder.decode(datagram: d, context: context, into: &out)
            return out
        }
    }

    static func text(_ name: String, _ ext: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures"))
        return try String(contentsOf: url, encoding: .utf8)
    }

    static func decode(_ text: String, context: DecodeContext = context) -> [Decoded] {
        var out: [Decoded] = []
        WireDecoder.decode(datagram: Array(text.utf8), context: context, into: &out)
        return out
    }
}

extension Decoded {
    var metric: MetricSample? { if case .metric(let m) = self { return m } else { return nil } }
    var log: LogRecord? { if case .log(let l) = self { return l } else { return nil } }
    var rejection: RejectReason? { if case .rejected(let r, _) = self { return r } else { return nil } }
    var sample: [UInt8]? { if case .rejected(_, let s) = self { return s } else { return nil } }
}

@Suite struct WireDecoderTests {
    @Test func lineSplittingAndTerminators() {
        let out = Fixture.decode("a.b:1|c\r\n\n\na.c:2|c\0\0\na.d:3|c\n")
        #expect(out.compactMap(\.metric).map(\.name) == ["a.b", "a.c", "a.d"])
        #expect(out.count == 3)
    }

    @Test func emptyDatagram() {
        #expect(Fixture.decode("").map(\.rejection) == [.empty])
        #expect(Fixture.decode("\n\0").map(\.rejection) == [.empty])
    }

    @Test func detection() {
        #expect(Fixture.decode("<14>hello").first?.log?.message == "hello")
        #expect(Fixture.decode("svc.x:1|c").first?.metric?.name == "svc.x")
        #expect(Fixture.decode("level=info msg=hi").first?.log?.message == "hi")
        #expect(Fixture.decode(#"{"msg":"hi"}"#).first?.log?.message == "hi")
        #expect(Fixture.decode("_sc|a.b|0").first?.log?.service == "a")
        #expect(Fixture.decode("hello world").map(\.rejection) == [.unknownFormat])
        #expect(Fixture.decode("time: 12:00 | x").map(\.rejection) == [.statsd])
        #expect(Fixture.decode("at 12:00 | x").map(\.rejection) == [.unknownFormat])
        #expect(Fixture.decode("a=b").map(\.rejection) == [.unknownFormat])
        #expect(Fixture.decode("[1,2]").map(\.rejection) == [.zipkin])
        #expect(Fixture.decode("\"str\"").map(\.rejection) == [.unknownFormat])
        #expect(Fixture.decode("{\"a\":").map(\.rejection) == [.json])
        #expect(Fixture.decode("7").map(\.rejection) == [.unknownFormat])
    }

    @Test func embeddedNULsAndEscapeSequencesAreKeptAsData() {
        // Only trailing NULs end a line; inner ones and terminal escapes are data (the sanitiser escapes them).
        let out = Fixture.decode("<14>app: red \u{1b}[31mx\u{0}y\u{0}\u{0}")
        #expect(out.first?.log?.message == "red \u{1b}[31mx\u{0}y")
        #expect(out.first?.log?.service == "app")
        let json = Fixture.decode(#"{"msg":"\u001b]0;title\u0007","level":"warn"}"#)
        #expect(json.first?.log?.message == "\u{1b}]0;title\u{7}")
        #expect(Fixture.decode("a.b:1|c\u{0}x").map(\.rejection) == [.statsd])
    }

    @Test func jaegerFirstByteGoesToThrift() {
        var out: [Decoded] = []
        WireDecoder.decode(datagram: [0x82, 0x81, 0x00], context: Fixture.context, into: &out)
        #expect(out.map(\.rejection) == [.thrift])
    }

    @Test func spansAreRoutedToTheSpanDecoders() throws {
        let jaeger = try Fixture.decoded("jaeger_thrift_trace")
        #expect(jaeger.map { $0.filter { if case .span = $0 { true } else { false } }.count } == [2, 3, 1])
        let body = try Fixture.text("zipkin_v2_trace", "json")
        let zipkin = Fixture.decode(body)
        #expect(zipkin.count == 6)
        #expect(zipkin.allSatisfy { if case .span = $0 { true } else { false } })
        let lines = try Fixture.text("zipkin_v2_trace", "jsonl")
        let perLine = Fixture.decode(lines)
        #expect(perLine.count == 6)
        guard case .span(let first)? = perLine.first else {
            Issue.record("no span")
            return
        }
        #expect(first.traceID.hex == "b8a1abcd1a6916c74da4f9fc3c6da5d7")
        let otlp =
            #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"s"}}]},"#
            + #""scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","#
            + #""spanId":"0102030405060708","name":"n","kind":2,"#
            + #""startTimeUnixNano":"1000","endTimeUnixNano":"3000"}]}]}]}"#
        let o = Fixture.decode(otlp)
        guard case .span(let span)? = o.first else {
            Issue.record("OTLP not decoded: \(o)")
            return
        }
        #expect(span.service == "s" && span.kind == .server && span.durationMicros == 2)
        // A pretty-printed (multi-line) body is one document.
        let pretty = body.replacingOccurrences(of: ", {", with: ",\n{")
        #expect(Fixture.decode(pretty).count == 6)
    }

    @Test func tooLongLine() {
        var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 70_000)
        bytes[0] = UInt8(ascii: "x")
        var out: [Decoded] = []
        bytes.withUnsafeBytes { WireDecoder.decode(line: $0, context: Fixture.context, into: &out) }
        #expect(out.map(\.rejection) == [.tooLong])
        #expect(out.first?.sample?.count == 512)
        out.removeAll()
        WireDecoder.decode(datagram: bytes + [0x0A] + Array("a.b:1|c".utf8), context: Fixture.context, into: &out)
        #expect(out.map(\.rejection) == [.tooLong, nil])
    }

    @Test func invalidUTF8IsRejectedBeforeDecoding() {
        let cases: [[UInt8]] = [
            [0x61, 0x3A, 0x31, 0x7C, 0x63, 0xFF], [0x3C, 0x31, 0x34, 0x3E, 0xC3, 0x28], [0xED, 0xA0, 0x80],
        ]
        for bad in cases {
            var out: [Decoded] = []
            WireDecoder.decode(datagram: bad, context: Fixture.context, into: &out)
            #expect(out.map(\.rejection) == [.invalidUTF8])
            #expect(out.first?.sample == bad)
        }
    }

    @Test func deepJSONIsRejectedTooDeep() {
        let deep = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        var out: [Decoded] = []
        WireDecoder.decode(datagram: deep, context: Fixture.context, into: &out)
        #expect(out.map(\.rejection) == [.tooLong])
        out.removeAll()
        WireDecoder.decode(datagram: Array(deep[0..<60_000]), context: Fixture.context, into: &out)
        #expect(out.map(\.rejection) == [.tooDeep])
        out.removeAll()
        let objects = String(repeating: "{\"a\":", count: 5000)
        WireDecoder.decode(datagram: Array(objects.utf8), context: Fixture.context, into: &out)
        #expect(out.map(\.rejection) == [.tooDeep])
    }

    @Test func randomBytesNeverCrash() {
        var rng = SplitMix(seed: 42)
        var total = 0
        for _ in 0..<3000 {
            let n = Int(rng.next() % 300)
            var bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            // bias towards format prefixes so decoders, not just detection, see garbage
            let prefixes = ["<13>", "<14>1 ", "_e{", "_sc|", "{", "a:", "k=", "<11>Nov 26 ", "x:1|"]
            bytes = Array(prefixes[Int(rng.next() % UInt64(prefixes.count))].utf8) + bytes
            var out: [Decoded] = []
            WireDecoder.decode(datagram: bytes, context: Fixture.context, into: &out)
            total += out.count
            for case .rejected(_, let sample) in out { #expect(sample.count <= 512) }
        }
        #expect(total >= 3000)
    }
}

/// Deterministic generator for the garbage tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
