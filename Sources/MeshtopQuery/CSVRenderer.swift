import MeshtopModel

/// CSV output per RFC 4180: a header row, CRLF line ends, fields holding `,` `"` CR or LF quoted with `"`
/// doubled. Text is sanitised first (`Sanitizer.escape`), so control characters from ingested data appear as
/// `\x1b`, `\n` and never raw. Nested values (attributes, labels) are JSON text; lists are joined with `;`.
public enum CSVRenderer {
    public static func render(_ table: OutputTable) -> String {
        var columns = table.columns
        for record in table.records {
            for field in record.fields where !columns.contains(field.key) { columns.append(field.key) }
        }
        var out = columns.map(quote).joined(separator: ",") + "\r\n"
        for record in table.records {
            out += columns.map { quote(cell(record[$0] ?? .null)) }.joined(separator: ",") + "\r\n"
        }
        return out
    }

    static func cell(_ value: OutputValue) -> String {
        switch value {
        case .text(let s): return Sanitizer.escape(s)
        case .int(let i): return String(i)
        case .number(let d, _): return d.isFinite ? JSONText.number(d) : ""
        case .bool(let b): return b ? "true" : "false"
        case .time(let t): return RFC3339.format(micros: t)
        case .null: return ""
        case .list(let items): return items.map(cell).joined(separator: ";")
        case .object: return Sanitizer.escape(JSONRenderer.encode(value))
        }
    }

    /// RFC 4180 §2.6–2.7.
    public static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
        else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
