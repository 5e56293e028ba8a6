import MeshtopModel

/// What a decoder knows about a datagram besides its bytes.
public struct DecodeContext: Sendable {
    /// When the datagram arrived (µs since the epoch): the time of records that carry none.
    public var receivedAtMicros: Int64
    /// The sender's address as text: the host of records that name none.
    public var sourceHost: String

    public init(receivedAtMicros: Int64, sourceHost: String = "") {
        self.receivedAtMicros = receivedAtMicros
        self.sourceHost = sourceHost
    }
}

/// Auto-detects and decodes every wire format of SPEC §2, per datagram and per line.
///
/// Per datagram: first byte `0x82` → Jaeger thrift compact; a body starting with `{`/`[` that parses whole as
/// JSON → OTLP/JSON (`resourceSpans`), Zipkin v2 (an array, or an object with `traceId` and `id`) or a JSON log.
/// Otherwise the datagram is split into lines on `\n` (a trailing `\r` or NULs end a line too; empty lines are
/// skipped) and each line is detected on its own:
///
/// | line | decoder |
/// |---|---|
/// | `<digits>` | `SyslogDecoder` |
/// | `_e{` / `_sc\|` | `DogStatsDDecoder` |
/// | `{` / `[` | JSON: Zipkin / OTLP / `JSONLogDecoder` |
/// | a name without spaces or `=`, then `:`, then `\|` | `StatsDDecoder` |
/// | contains `=` | `LogfmtDecoder` |
/// | anything else | rejected `.unknownFormat` |
///
/// Lines over `maxLineBytes` are rejected `.tooLong` and lines that are not UTF-8 `.invalidUTF8` before any
/// decoder sees them. Every rejection carries at most `maxSampleBytes` of the line. Work is linear in the input.
public enum WireDecoder {
    /// The longest line decoded (64 KiB).
    public static let maxLineBytes = 65_536
    /// How much of a rejected line is kept.
    public static let maxSampleBytes = 512
    /// Nesting limit for JSON.
    public static let maxJSONDepth = 64

    /// Decodes one datagram, appending everything it holds to `out`.
    public static func decode(datagram: UnsafeRawBufferPointer, context: DecodeContext, into out: inout [Decoded]) {
        let p = datagram.assumingMemoryBound(to: UInt8.self)
        var end = p.count
        while end > 0, p[end - 1] == 0 || p[end - 1] == 0x0A || p[end - 1] == 0x0D { end -= 1 }
        guard end > 0 else {
            out.append(.rejected(.empty, sample: []))
            return
        }
        if p[0] == 0x82 {
            appendSpans(SpanBridge.jaeger(datagram), sample: p, 0, p.count, into: &out)
            return
        }
        if p[0] == UInt8(ascii: "{") || p[0] == UInt8(ascii: "["), ByteScan.find(0x0A, p, 0, end) < end,
            case .success(let json) = JSONParser.parse(
                UnsafeRawBufferPointer(rebasing: datagram[0..<end]),
                maxDepth: maxJSONDepth)
        {
            // A multi-line body that is one JSON document (pretty-printed Zipkin/OTLP).
            decodeJSON(json, p, 0, end, context: context, into: &out)
            return
        }
        var start = 0
        while start < end {
            var lineEnd = ByteScan.find(0x0A, p, start, end)
            let next = lineEnd + 1
            while lineEnd > start, p[lineEnd - 1] == 0x0D || p[lineEnd - 1] == 0 { lineEnd -= 1 }
            if lineEnd > start { decodeLine(p, start, lineEnd, context: context, into: &out) }
            start = next
        }
    }

    /// Decodes one datagram held in an array.
    public static func decode(datagram: [UInt8], context: DecodeContext, into out: inout [Decoded]) {
        datagram.withUnsafeBytes { decode(datagram: $0, context: context, into: &out) }
    }

    /// Decodes one line (no newline), as the agent ships them; same detection as for lines of a datagram.
    public static func decode(line: UnsafeRawBufferPointer, context: DecodeContext, into out: inout [Decoded]) {
        let p = line.assumingMemoryBound(to: UInt8.self)
        guard p.count > 0 else {
            out.append(.rejected(.empty, sample: []))
            return
        }
        decodeLine(p, 0, p.count, context: context, into: &out)
    }

    static func decodeLine(_ p: LineBytes, _ from: Int, _ to: Int, context: DecodeContext, into out: inout [Decoded]) {
        guard to - from <= maxLineBytes else {
            reject(.tooLong, p, from, to, into: &out)
            return
        }
        guard let base = p.baseAddress, UTF8Check.isValid(base + from, to - from) else {
            reject(.invalidUTF8, p, from, to, into: &out)
            return
        }
        let raw = ByteScan.raw(p, from, to)
        let line = raw.assumingMemoryBound(to: UInt8.self)
        let reason: RejectReason?
        switch detect(line) {
        case .syslog: reason = SyslogDecoder.decode(line: raw, context: context, into: &out)
        case .dogstatsd: reason = DogStatsDDecoder.decode(line: raw, context: context, into: &out)
        case .statsd: reason = StatsDDecoder.decode(line, into: &out)
        case .logfmt: reason = LogfmtDecoder.decode(line: raw, context: context, into: &out)
        case .unknown: reason = .unknownFormat
        case .json:
            switch JSONParser.parse(raw, maxDepth: maxJSONDepth) {
            case .failure(let e): reason = JSONLogDecoder.reason(e)
            case .success(let json):
                decodeJSON(json, p, from, to, context: context, into: &out)
                reason = nil
            }
        }
        if let reason { reject(reason, p, from, to, into: &out) }
    }

    enum LineKind {
        case syslog, dogstatsd, json, statsd, logfmt, unknown
    }

    static func detect(_ p: LineBytes) -> LineKind {
        let end = p.count
        let c = p[0]
        if c == UInt8(ascii: "<"), end > 1, p[1] &- 48 < 10 { return .syslog }
        if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { return .json }
        if c == UInt8(ascii: "_"), ByteScan.hasPrefix(p, 0, end, "_e{") || ByteScan.hasPrefix(p, 0, end, "_sc|") {
            return .dogstatsd
        }
        var i = 0
        var nameOK = true
        while i < end, p[i] != UInt8(ascii: ":") {
            let b = p[i]
            if b == 0x20 || b == 0x09 || b == UInt8(ascii: "=") || b == UInt8(ascii: "|") { nameOK = false }
            i += 1
        }
        if nameOK, i > 0, i < end, ByteScan.find(UInt8(ascii: "|"), p, i, end) < end { return .statsd }
        return ByteScan.find(UInt8(ascii: "="), p, 0, end) < end ? .logfmt : .unknown
    }

    /// A parsed JSON line or body: OTLP, Zipkin, or a JSON log.
    static func decodeJSON(
        _ json: JSONValue, _ p: LineBytes, _ from: Int, _ to: Int, context: DecodeContext, into out: inout [Decoded]
    ) {
        switch json {
        case .array:
            appendSpans(SpanBridge.zipkin(json), sample: p, from, to, into: &out)
        case .object:
            if json["resourceSpans"] != nil {
                appendSpans(SpanBridge.otlp(json), sample: p, from, to, into: &out)
            } else if json["traceId"] != nil, json["id"] != nil {
                appendSpans(SpanBridge.zipkin(json), sample: p, from, to, into: &out)
            } else {
                let raw = ByteScan.raw(p, from, to)
                if let record = JSONLogDecoder.record(json, line: raw, context: context) {
                    out.append(.log(record))
                } else {
                    reject(.jsonLog, p, from, to, into: &out)
                }
            }
        default:
            reject(.jsonLog, p, from, to, into: &out)
        }
    }

    static func appendSpans(
        _ result: Result<[Span], RejectReason>, sample p: LineBytes, _ from: Int, _ to: Int, into out: inout [Decoded]
    ) {
        switch result {
        case .success(let spans): for s in spans { out.append(.span(s)) }
        case .failure(let reason): reject(reason, p, from, to, into: &out)
        }
    }

    static func reject(_ reason: RejectReason, _ p: LineBytes, _ from: Int, _ to: Int, into out: inout [Decoded]) {
        out.append(.rejected(reason, sample: Array(p[from..<min(to, from + maxSampleBytes)])))
    }
}

/// The span decoders of this module, behind one seam so the dispatcher reads the same for every format.
enum SpanBridge {
    static func jaeger(_ bytes: UnsafeRawBufferPointer) -> Result<[Span], RejectReason> {
        JaegerThriftDecoder.decodeEmitBatch(bytes)
    }

    static func zipkin(_ json: JSONValue) -> Result<[Span], RejectReason> {
        ZipkinDecoder.decode(json)
    }

    static func otlp(_ json: JSONValue) -> Result<[Span], RejectReason> {
        OTLPDecoder.decode(json)
    }
}
