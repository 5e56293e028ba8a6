import MeshtopModel

/// Decodes DogStatsD events (`_e{…}`) and service checks (`_sc|…`) into log records (DataDog `datagram_shell.md`).
///
/// Events: `_e{title_len,text_len}:title|text[|d:ts][|h:host][|k:key][|p:prio][|s:source][|t:alert][|#tags][|c:cid]`.
/// The lengths are UTF-8 byte counts of the escaped title/text; `\n` (backslash-n) in either decodes to a newline.
/// - message: `title` alone when the text is empty, else `"title: text"`
/// - service: tag `service:`, else `s:` source, else `"dogstatsd"`; host: `h:`, else the datagram's source host
/// - severity from `t:` alert type: error → error, warning → warning, success → notice, info/absent → info
/// - time: `d:` (unix seconds), else the receive time
/// - attributes: kind=event, title, text, then whichever of aggregation_key, priority, source, alert_type,
///   container_id were sent, and tags (array of strings, as sent)
///
/// Service checks: `_sc|name|status[|d:ts][|h:host][|#tags][|m:msg][|c:cid]`, status 0 OK, 1 WARNING,
/// 2 CRITICAL, 3 UNKNOWN. `m:` text has `\n` → newline and `m\:` → `m:` undone (the Python client's escapes).
/// - message: `"name STATUS"`, plus `": msg"` when a message was sent (`cart.can_connect OK: fine`)
/// - service: tag `service:`, else the first dotted segment of the check name (as for metrics)
/// - severity: 0 → info, 1 → warning, 2 → critical, 3 → notice
/// - attributes: kind=service_check, check, status (int), status_name, message (when sent), container_id, tags
public enum DogStatsDDecoder {
    /// Decodes one `_e{` or `_sc|` line, appending one `.log`. On failure returns `.dogstatsdEvent`.
    public static func decode(
        line: UnsafeRawBufferPointer, context: DecodeContext, into out: inout [Decoded]
    ) -> RejectReason? {
        let p = line.assumingMemoryBound(to: UInt8.self)
        let record = ByteScan.hasPrefix(p, 0, p.count, "_sc|") ? serviceCheck(p, context) : event(p, context)
        guard let record else { return .dogstatsdEvent }
        out.append(.log(record))
        return nil
    }

    static func event(_ p: LineBytes, _ context: DecodeContext) -> LogRecord? {
        let end = p.count
        guard ByteScan.hasPrefix(p, 0, end, "_e{") else { return nil }
        let comma = ByteScan.find(UInt8(ascii: ","), p, 3, min(end, 3 + 12))
        let brace = ByteScan.find(UInt8(ascii: "}"), p, comma, min(end, comma + 12))
        guard let titleLen = ByteScan.unsigned(p, 3, comma), let textLen = ByteScan.unsigned(p, comma + 1, brace),
            brace + 1 < end, p[brace + 1] == UInt8(ascii: ":")
        else { return nil }
        let titleStart = brace + 2
        let titleEnd = titleStart + Int(titleLen)
        guard titleLen > 0, titleEnd < end, p[titleEnd] == UInt8(ascii: "|") else { return nil }
        let textEnd = titleEnd + 1 + Int(textLen)
        guard textEnd <= end, textEnd == end || p[textEnd] == UInt8(ascii: "|") else { return nil }
        let title = unescape(p, titleStart, titleEnd)
        let text = unescape(p, titleEnd + 1, textEnd)
        var record = LogRecord(
            timeMicros: context.receivedAtMicros, service: "", host: context.sourceHost, severity: .info,
            message: text.isEmpty ? title : title + ": " + text)
        var attrs: [Attribute] = [
            Attribute("kind", .string("event")), Attribute("title", .string(title)), Attribute("text", .string(text)),
        ]
        guard let f = fields(p, textEnd) else { return nil }
        var source: String?
        for (key, from, to) in f.other {
            let value = ByteScan.string(p, from, to)
            switch key {
            case UInt8(ascii: "k"): attrs.append(Attribute("aggregation_key", .string(value)))
            case UInt8(ascii: "p"): attrs.append(Attribute("priority", .string(value)))
            case UInt8(ascii: "s"):
                source = value
                attrs.append(Attribute("source", .string(value)))
            case UInt8(ascii: "t"):
                attrs.append(Attribute("alert_type", .string(value)))
                record.severity = alertSeverity(value)
            case UInt8(ascii: "c"): attrs.append(Attribute("container_id", .string(value)))
            default: break
            }
        }
        let tags = f.tags
        record.timeMicros = f.time ?? record.timeMicros
        record.host = f.host ?? record.host
        record.service = serviceTag(tags) ?? source ?? "dogstatsd"
        if !tags.isEmpty { attrs.append(Attribute("tags", .array(tags.map { .string($0) }))) }
        record.attributes = attrs
        return record
    }

    static func serviceCheck(_ p: LineBytes, _ context: DecodeContext) -> LogRecord? {
        let end = p.count
        let nameEnd = ByteScan.find(UInt8(ascii: "|"), p, 4, end)
        guard nameEnd > 4, nameEnd + 2 <= end else { return nil }
        let statusEnd = ByteScan.find(UInt8(ascii: "|"), p, nameEnd + 1, end)
        guard statusEnd == nameEnd + 2, let status = ByteScan.unsigned(p, nameEnd + 1, statusEnd), status <= 3
        else { return nil }
        let name = ByteScan.string(p, 4, nameEnd)
        let statusNames = ["OK", "WARNING", "CRITICAL", "UNKNOWN"]
        let severities: [Severity] = [.info, .warning, .critical, .notice]
        var record = LogRecord(
            timeMicros: context.receivedAtMicros, service: "", host: context.sourceHost,
            severity: severities[Int(status)], message: name + " " + statusNames[Int(status)])
        var attrs: [Attribute] = [
            Attribute("kind", .string("service_check")), Attribute("check", .string(name)),
            Attribute("status", .int(status)), Attribute("status_name", .string(statusNames[Int(status)])),
        ]
        guard let f = fields(p, statusEnd) else { return nil }
        for (key, from, to) in f.other {
            switch key {
            case UInt8(ascii: "m"):
                let message = unescape(p, from, to)
                record.message += ": " + message
                attrs.append(Attribute("message", .string(message)))
            case UInt8(ascii: "c"): attrs.append(Attribute("container_id", .string(ByteScan.string(p, from, to))))
            default: break
            }
        }
        let tags = f.tags
        record.timeMicros = f.time ?? record.timeMicros
        record.host = f.host ?? record.host
        record.service = serviceTag(tags) ?? MetricSample.defaultService(name: name, tags: [])
        if !tags.isEmpty { attrs.append(Attribute("tags", .array(tags.map { .string($0) }))) }
        record.attributes = attrs
        return record
    }

    /// The `|x:value` and `|#tags` fields from `start` (a `|`) on: tags, `d:` time, `h:` host, and the other
    /// `x:` fields as (letter, value range). Nil when a field is empty or `d:` is not unix seconds.
    static func fields(
        _ p: LineBytes, _ start: Int
    ) -> (tags: [String], time: Int64?, host: String?, other: [(UInt8, Int, Int)])? {
        let end = p.count
        var tags: [String] = []
        var time: Int64?
        var host: String?
        var other: [(UInt8, Int, Int)] = []
        var i = start
        while i < end {
            let from = i + 1
            let to = ByteScan.find(UInt8(ascii: "|"), p, from, end)
            i = to
            guard to > from else { return nil }
            if p[from] == UInt8(ascii: "#") {
                appendTags(p, from + 1, to, into: &tags)
            } else if to - from >= 2, p[from + 1] == UInt8(ascii: ":") {
                switch p[from] {
                case UInt8(ascii: "d"):
                    guard let secs = ByteScan.unsigned(p, from + 2, to), secs < 100_000_000_000 else { return nil }
                    time = secs * 1_000_000
                case UInt8(ascii: "h"): host = ByteScan.string(p, from + 2, to)
                default: other.append((p[from], from + 2, to))
                }
            }
        }
        return (tags, time, host, other)
    }

    static func alertSeverity(_ alert: String) -> Severity {
        switch alert {
        case "error": return .error
        case "warning": return .warning
        case "success": return .notice
        default: return .info
        }
    }

    static func serviceTag(_ tags: [String]) -> String? {
        for t in tags where t.hasPrefix("service:") { return String(t.dropFirst(8)) }
        return nil
    }

    static func appendTags(_ p: LineBytes, _ from: Int, _ to: Int, into tags: inout [String]) {
        var t = from
        while t <= to {
            let e = ByteScan.find(UInt8(ascii: ","), p, t, to)
            if e > t { tags.append(ByteScan.string(p, t, e)) }
            t = e + 1
        }
    }

    /// Undoes the client's escapes: `\n` → newline, `m\:` → `m:`. Other bytes are kept as sent.
    static func unescape(_ p: LineBytes, _ from: Int, _ to: Int) -> String {
        var needs = false
        for i in from..<max(from, to) where p[i] == UInt8(ascii: "\\") { needs = true }
        guard needs else { return ByteScan.string(p, from, to) }
        var out: [UInt8] = []
        out.reserveCapacity(to - from)
        var i = from
        while i < to {
            let c = p[i]
            if c == UInt8(ascii: "\\"), i + 1 < to, p[i + 1] == UInt8(ascii: "n") {
                out.append(0x0A)
                i += 2
            } else if c == UInt8(ascii: "\\"), i + 1 < to, p[i + 1] == UInt8(ascii: ":"), !out.isEmpty,
                out[out.count - 1] == UInt8(ascii: "m")
            {
                out.append(UInt8(ascii: ":"))
                i += 2
            } else {
                out.append(c)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
