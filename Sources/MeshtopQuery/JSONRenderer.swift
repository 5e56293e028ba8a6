import MeshtopModel

/// JSON output (SPEC §1): snake_case keys, RFC 3339 UTC times with microseconds, lowercase hex ids, strings
/// escaped by `JSONText` (controls as `\u00XX`, so escape sequences from ingested data stay inert).
public enum JSONRenderer {
    /// A compact JSON text for `value`.
    public static func encode(_ value: OutputValue) -> String {
        var out = ""
        write(value, to: &out)
        return out
    }

    /// A JSON array of records, one record per line.
    public static func array(_ records: [OutputRecord]) -> String {
        if records.isEmpty { return "[]" }
        return "[\n" + records.map { encode(.object($0.fields)) }.joined(separator: ",\n") + "\n]"
    }

    static func write(_ value: OutputValue, to out: inout String) {
        switch value {
        case .text(let s): out += JSONText.quote(s)
        case .int(let i): out += String(i)
        case .number(let d, _): out += JSONText.number(d)
        case .bool(let b): out += b ? "true" : "false"
        case .time(let t): out += "\"" + RFC3339.format(micros: t) + "\""
        case .null: out += "null"
        case .list(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                write(item, to: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (i, field) in fields.enumerated() {
                if i > 0 { out += "," }
                out += JSONText.quote(field.key) + ":"
                write(field.value, to: &out)
            }
            out += "}"
        }
    }
}
