import MeshtopModel

/// Decodes syslog lines: RFC 5424, RFC 3164 (BSD, as util-linux `logger --rfc3164` sends it) and the bare
/// `<PRI>message` that CPython's `SysLogHandler` sends (SPEC §8).
///
/// - severity = PRI mod 8; attributes `facility` (PRI / 8), `syslog_format` (`rfc5424`, `rfc3164`, `bare`),
///   `procid` and `msgid` when not nil, and RFC 5424 structured data flattened as `"<SD-ID>.<param>"` string
///   attributes (an element without params as `"<SD-ID>" = true`). Trailing NULs are stripped. SD params named
///   `trace_id`/`traceId` and `span_id`/`spanId` (in any element) also set the record's ids.
/// - service = APP-NAME / TAG; host = HOSTNAME, else the datagram's source host; time = the header's, else
///   the receive time. RFC 3164 has no year and sends local time: the receive year is taken (the previous one
///   if that lands more than a day in the future) and the time is read as UTC, which is what senders with
///   `TZ=UTC` (containers, the fixtures) mean; other zones are off by their offset.
/// - bare messages may start with a TAG-style `name[pid]: ` or `name: ` prefix (a formatter's or
///   `SysLogHandler.ident`'s): `name` (letters, digits, `._/-`, ≤ 48 bytes) becomes the service.
/// - A message that is itself a JSON object or logfmt (see `LogfmtDecoder`) is parsed: its fields become
///   attributes, its `msg` alias replaces the message (else the message is kept), trace/span ids are lifted,
///   and its service/time/host fill in only what the header left nil. The PRI severity always wins.
/// - No service anywhere → `"unknown"`. A `1 ` version that does not parse as RFC 5424 is read as bare.
public enum SyslogDecoder {
    /// Decodes one line starting with `<`, appending one `.log`; returns `.syslog` when the PRI is malformed.
    public static func decode(
        line: UnsafeRawBufferPointer, context: DecodeContext, into out: inout [Decoded]
    ) -> RejectReason? {
        var p = line.assumingMemoryBound(to: UInt8.self)
        while let last = p.last, last == 0 { p = UnsafeBufferPointer(rebasing: p[0..<(p.count - 1)]) }
        guard let record = decode(p, context) else { return .syslog }
        out.append(.log(record))
        return nil
    }

    /// The parsed header fields; nil members were `-` or absent.
    struct Header {
        var pri: Int
        var format: String
        var time: Int64?
        var host: String?
        var app: String?
        var procid: String?
        var msgid: String?
        var structured: [Attribute] = []
        var messageStart: Int
    }

    static func decode(_ p: LineBytes, _ context: DecodeContext) -> LogRecord? {
        let end = p.count
        guard end >= 3, p[0] == UInt8(ascii: "<") else { return nil }
        var i = 1
        var pri = 0
        while i < end, i <= 4, p[i] &- 48 < 10 {
            pri = pri * 10 + Int(p[i] &- 48)
            i += 1
        }
        guard i > 1, i <= 4, i < end, p[i] == UInt8(ascii: ">"), pri <= 191 else { return nil }
        guard i - 1 == 1 || p[1] != UInt8(ascii: "0") else { return nil }
        let afterPRI = i + 1
        let header =
            rfc5424(p, afterPRI, pri: pri) ?? rfc3164(p, afterPRI, pri: pri, receivedAt: context.receivedAtMicros)
            ?? bare(p, afterPRI, pri: pri)
        return record(p, header, context)
    }

    private static func record(_ p: LineBytes, _ h: Header, _ context: DecodeContext) -> LogRecord {
        var start = h.messageStart
        if start + 3 <= p.count, p[start] == 0xEF, p[start + 1] == 0xBB, p[start + 2] == 0xBF { start += 3 }
        let message = ByteScan.string(p, start, p.count)
        var attrs: [Attribute] = []
        attrs.reserveCapacity(2 + (h.procid == nil ? 0 : 1) + (h.msgid == nil ? 0 : 1) + h.structured.count)
        attrs.append(Attribute("facility", .int(Int64(h.pri / 8))))
        attrs.append(Attribute("syslog_format", .string(h.format)))
        if let procid = h.procid { attrs.append(Attribute("procid", .string(procid))) }
        if let msgid = h.msgid { attrs.append(Attribute("msgid", .string(msgid))) }
        attrs.append(contentsOf: h.structured)
        var record = LogRecord(
            timeMicros: h.time ?? context.receivedAtMicros, service: h.app ?? JSONLogDecoder.unknownService,
            host: h.host ?? context.sourceHost, severity: Severity(rawValue: h.pri % 8) ?? .info, message: message,
            attributes: attrs)
        for a in h.structured {
            guard case .string(let v) = a.value, let dot = a.key.lastIndex(of: ".") else { continue }
            switch a.key[a.key.index(after: dot)...] {
            case "trace_id", "traceId": record.traceID = record.traceID ?? TraceID(hex: v)
            case "span_id", "spanId": record.spanID = record.spanID ?? SpanID(hex: v)
            default: break
            }
        }
        if let fields = embeddedFields(p, start, p.count) {
            if let m = fields.message { record.message = m }
            record.traceID = fields.traceID ?? record.traceID
            record.spanID = fields.spanID ?? record.spanID
            if h.app == nil, let s = fields.service { record.service = s }
            if h.time == nil, let t = fields.timeMicros { record.timeMicros = t }
            if h.host == nil, let hostName = fields.host { record.host = hostName }
            record.attributes.append(contentsOf: fields.attributes)
        }
        return record
    }

    /// The fields of a message that is a JSON object or logfmt, else nil.
    static func embeddedFields(_ p: LineBytes, _ from: Int, _ to: Int) -> LogFields? {
        var i = from
        while i < to, p[i] == 0x20 { i += 1 }
        guard i < to else { return nil }
        if p[i] == UInt8(ascii: "{") {
            guard case .success(let v) = JSONParser.parse(ByteScan.raw(p, i, to)) else {
                return nil
            }
            return JSONLogDecoder.fields(v)
        }
        guard ByteScan.find(UInt8(ascii: "="), p, i, to) < to, case .fields(let f) = LogfmtDecoder.parse(p, i, to)
        else { return nil }
        return f
    }

    /// A space-delimited header token starting at `i`: its end, or nil at the end of the line.
    @inline(__always)
    static func token(_ p: LineBytes, _ i: Int) -> Int? {
        guard i < p.count, p[i] != 0x20 else { return nil }
        let e = ByteScan.find(0x20, p, i, p.count)
        return e
    }

    /// A token's text, nil for the nil value `-`.
    @inline(__always)
    static func value(_ p: LineBytes, _ from: Int, _ to: Int) -> String? {
        isNil(p, from, to) ? nil : ByteScan.string(p, from, to)
    }

    /// The token is the nil value `-`.
    @inline(__always)
    static func isNil(_ p: LineBytes, _ from: Int, _ to: Int) -> Bool {
        to - from == 1 && p[from] == UInt8(ascii: "-")
    }

    /// The header token at `i` as `value` reads it, moving `i` past the token and its space; nil at the end.
    @inline(__always)
    static func field(_ p: LineBytes, _ i: inout Int) -> String?? {
        guard let e = token(p, i) else { return nil }
        defer { i = e + 1 }
        return .some(value(p, i, e))
    }

    /// `1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [MSG]`, or nil when the line is not RFC 5424.
    static func rfc5424(_ p: LineBytes, _ start: Int, pri: Int) -> Header? {
        let end = p.count
        guard start + 1 < end, p[start] == UInt8(ascii: "1"), p[start + 1] == 0x20 else { return nil }
        var h = Header(pri: pri, format: "rfc5424", messageStart: end)
        var i = start + 2
        guard let tsEnd = token(p, i) else { return nil }
        if !isNil(p, i, tsEnd) {
            guard let t = RFC3339.parse(bytes: LineBytes(rebasing: p[i..<tsEnd])) else { return nil }
            h.time = t
        }
        // HOSTNAME APP-NAME PROCID MSGID (four locals, no array: this runs once per line).
        i = tsEnd + 1
        guard let host = field(p, &i), let app = field(p, &i), let procid = field(p, &i), let msgid = field(p, &i)
        else { return nil }
        (h.host, h.app, h.procid, h.msgid) = (host, app, procid, msgid)
        guard i < end else { return nil }
        if p[i] == UInt8(ascii: "-") {
            i += 1
        } else {
            guard p[i] == UInt8(ascii: "["), let next = SyslogStructuredData.parse(p, i, into: &h.structured) else {
                return nil
            }
            i = next
        }
        guard i == end || p[i] == 0x20 else { return nil }
        h.messageStart = min(i + 1, end)
        return h
    }

    /// `<PRI>MSG` with an optional `name[pid]: ` / `name: ` prefix.
    static func bare(_ p: LineBytes, _ start: Int, pri: Int) -> Header {
        var h = Header(pri: pri, format: "bare", messageStart: start)
        if let tag = tag(p, start, maxName: 48) {
            h.app = tag.app
            h.procid = tag.procid
            h.messageStart = tag.messageStart
        }
        return h
    }

    /// A TAG `name[pid]:` or `name:` followed by a space (or the end), starting at `i`.
    static func tag(_ p: LineBytes, _ i: Int, maxName: Int) -> (app: String, procid: String?, messageStart: Int)? {
        let end = p.count
        var j = i
        while j < end, j - i < maxName, isTagByte(p[j]) { j += 1 }
        guard j > i, j < end else { return nil }
        let app = ByteScan.string(p, i, j)
        var procid: String?
        if p[j] == UInt8(ascii: "[") {
            let close = ByteScan.find(UInt8(ascii: "]"), p, j + 1, min(end, j + 34))
            guard close < end, close > j + 1, p[close] == UInt8(ascii: "]") else { return nil }
            procid = ByteScan.string(p, j + 1, close)
            j = close + 1
        }
        guard j < end, p[j] == UInt8(ascii: ":") else { return nil }
        j += 1
        guard j == end || p[j] == 0x20 else { return nil }
        return (app, procid, min(j + 1, end))
    }

    @inline(__always)
    static func isTagByte(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "/"),
            UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }
}
