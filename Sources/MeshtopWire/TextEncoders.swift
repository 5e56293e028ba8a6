import MeshtopModel

/// Writes StatsD / DogStatsD metric lines (the inverse of `StatsDDecoder`).
public enum StatsDEncoder {
    /// `name:value|type[|@rate][|#tags][|T<unix>]`. Gauge deltas carry an explicit sign (`+5`); a negative
    /// gauge that is not a delta has no wire form of its own, so it is written as two lines, `name:0|g` then
    /// `name:-7|g` (what etsy's clients do). Sets write their member.
    public static func line(_ s: MetricSample) -> String {
        var value: String
        if s.type == .set {
            value = s.setMember ?? JSONText.number(s.value)
        } else {
            value = JSONText.number(s.value)
            if s.type == .gauge, s.isDelta, s.value >= 0 { value = "+" + value }
        }
        var suffix = "|" + s.type.wire
        if s.sampleRate != 1 { suffix += "|@" + JSONText.number(s.sampleRate) }
        if !s.tags.isEmpty { suffix += "|#" + s.tags.joined(separator: ",") }
        if let t = s.timestampMicros { suffix += "|T" + String(t / 1_000_000) }
        if s.type == .gauge, !s.isDelta, s.value < 0 {
            return s.name + ":0" + suffix + "\n" + s.name + ":" + value + suffix
        }
        return s.name + ":" + value + suffix
    }
}

/// Writes syslog datagrams as util-linux `logger` does (the inverse of `SyslogDecoder`).
///
/// Newlines, carriage returns and NULs in the message are written as the two characters `\n`, `\r`, `\0`:
/// the line-oriented listener would otherwise split the record.
public enum SyslogEncoder {
    /// `<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG`. The trace and span ids travel as structured data
    /// `[trace@32473 trace_id="…" span_id="…"]`, which `SyslogDecoder` lifts back onto the record; `procid` and
    /// `msgid` come from the attributes of those names. `appName` defaults to the record's service.
    public static func rfc5424(_ r: LogRecord, facility: Int = 1, appName: String? = nil) -> [UInt8] {
        var sd = ""
        if r.traceID != nil || r.spanID != nil {
            sd = "[trace@32473"
            if let t = r.traceID { sd += " trace_id=\"" + t.hex + "\"" }
            if let s = r.spanID { sd += " span_id=\"" + s.hex + "\"" }
            sd += "]"
        }
        let head =
            "<\(pri(r, facility))>1 \(RFC3339.format(micros: r.timeMicros)) \(token(r.host)) "
            + "\(token(appName ?? r.service)) \(token(attribute(r, "procid"))) \(token(attribute(r, "msgid"))) "
            + (sd.isEmpty ? "-" : sd)
        return Array((head + " " + escape(r.message)).utf8)
    }

    /// `<PRI>Mmm dd hh:mm:ss HOST TAG[pid]: MSG`, the time in UTC with second precision (the format has no
    /// year, zone or fraction). The host defaults to `localhost`, the pid comes from the `procid` attribute.
    public static func rfc3164(_ r: LogRecord, facility: Int = 1, appName: String? = nil) -> [UInt8] {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let secs = r.timeMicros >= 0 ? r.timeMicros / 1_000_000 : (r.timeMicros - 999_999) / 1_000_000
        let days = secs >= 0 ? secs / 86_400 : (secs - 86_399) / 86_400
        let sod = secs - days * 86_400
        let (_, m, d) = RFC3339.civil(fromDays: days)
        func two(_ v: Int64) -> String { v < 10 ? "0" + String(v) : String(v) }
        let day = d < 10 ? " " + String(d) : String(d)
        let stamp = "\(months[Int(m - 1)]) \(day) \(two(sod / 3600)):\(two(sod % 3600 / 60)):\(two(sod % 60))"
        var tag = token(appName ?? r.service)
        if let pid = attribute(r, "procid") { tag += "[" + pid + "]" }
        let host = r.host.isEmpty ? "localhost" : token(r.host)
        return Array("<\(pri(r, facility))>\(stamp) \(host) \(tag): \(escape(r.message))".utf8)
    }

    private static func pri(_ r: LogRecord, _ facility: Int) -> Int {
        min(max(facility, 0), 23) * 8 + r.severity.rawValue
    }

    /// A header field: nil/empty → `-`; spaces and controls → `_` (header fields are space-delimited).
    private static func token(_ s: String?) -> String {
        guard let s, !s.isEmpty else { return "-" }
        let safe = s.unicodeScalars.map { $0.value <= 0x20 || $0.value == 0x7F ? "_" : $0 }
        return String(String.UnicodeScalarView(safe))
    }

    private static func attribute(_ r: LogRecord, _ key: String) -> String? {
        r.attributes[key: key].map(\.text)
    }

    static func escape(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0 }) else { return s }
        return LogfmtEncoder.escaped(s, ["\n": "\\n", "\r": "\\r", "\0": "\\0"])
    }
}

/// Writes one JSON object per log record, with the alias names `JSONLogDecoder` reads first.
public enum JSONLogEncoder {
    /// `{"time":"…Z","level":"error","service":…,"host":…,"msg":…,"trace_id":…,"span_id":…,<attributes>}`;
    /// `host`, `trace_id` and `span_id` only when set.
    public static func line(_ r: LogRecord) -> String {
        var out = "{\"time\":\"" + RFC3339.format(micros: r.timeMicros) + "\",\"level\":\"" + r.severity.name + "\""
        out += ",\"service\":" + JSONText.quote(r.service)
        if !r.host.isEmpty { out += ",\"host\":" + JSONText.quote(r.host) }
        out += ",\"msg\":" + JSONText.quote(r.message)
        if let t = r.traceID { out += ",\"trace_id\":\"" + t.hex + "\"" }
        if let s = r.spanID { out += ",\"span_id\":\"" + s.hex + "\"" }
        for a in r.attributes { out += "," + JSONText.quote(a.key) + ":" + JSONText.encode(a.value) }
        return out + "}"
    }
}

/// Writes logfmt lines with the alias names `LogfmtDecoder` reads first.
public enum LogfmtEncoder {
    /// `time=… level=… service=… [host=…] msg=… [trace_id=… span_id=…] k=v…`. Values are quoted when
    /// empty or holding spaces, `=`, `"` or controls; attribute values are written as their text.
    public static func line(_ r: LogRecord) -> String {
        var parts = ["time=" + RFC3339.format(micros: r.timeMicros), "level=" + r.severity.name]
        parts.append("service=" + value(r.service))
        if !r.host.isEmpty { parts.append("host=" + value(r.host)) }
        parts.append("msg=" + value(r.message))
        if let t = r.traceID { parts.append("trace_id=" + t.hex) }
        if let s = r.spanID { parts.append("span_id=" + s.hex) }
        for a in r.attributes where isKey(a.key) { parts.append(a.key + "=" + value(a.value.text)) }
        return parts.joined(separator: " ")
    }

    private static func isKey(_ k: String) -> Bool {
        !k.isEmpty && !k.utf8.contains { $0 <= 0x20 || $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "\"") }
    }

    static func value(_ s: String) -> String {
        let plain =
            !s.isEmpty
            && !s.utf8.contains {
                $0 <= 0x20 || $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\")
            }
        if plain { return s }
        return "\"" + escaped(s, ["\"": "\\\"", "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"]) + "\""
    }

    /// `s` with the scalars in `table` replaced by their escapes.
    static func escaped(_ s: String, _ table: [Unicode.Scalar: String]) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count + 8)
        for c in s.unicodeScalars {
            if let e = table[c] { out += e } else { out.unicodeScalars.append(c) }
        }
        return out
    }
}
