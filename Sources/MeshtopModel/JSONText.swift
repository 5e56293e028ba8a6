/// Minimal JSON text encoding used for attributes/events columns and JSON output. Strings are escaped per
/// RFC 8259 (controls as `\u00XX`), so escape sequences from ingested data stay inert in JSON.
public enum JSONText {
    public static func quote(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7f || (u.value >= 0x80 && u.value < 0xa0) {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
        return out
    }

    /// Numbers: integers without a fraction, others with the shortest round-trip form; non-finite → null.
    public static func number(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return String(d)
    }

    public static func encode(_ v: AttributeValue) -> String {
        switch v {
        case .string(let s): return quote(s)
        case .int(let i): return String(i)
        case .double(let d): return number(d)
        case .bool(let b): return b ? "true" : "false"
        case .array(let a): return "[" + a.map(encode).joined(separator: ",") + "]"
        case .map(let m): return encode(m)
        }
    }

    /// An attribute list as a JSON object (keys in order; a repeated key keeps its last value when parsed).
    public static func encode(_ attrs: [Attribute]) -> String {
        if attrs.isEmpty { return "{}" }
        return "{" + attrs.map { quote($0.key) + ":" + encode($0.value) }.joined(separator: ",") + "}"
    }

    public static func encode(_ events: [SpanEvent]) -> String {
        if events.isEmpty { return "[]" }
        return "["
            + events.map {
                "{\"time\":\($0.timeMicros),\"name\":\(quote($0.name)),\"attributes\":\(encode($0.attributes))}"
            }.joined(separator: ",") + "]"
    }
}
