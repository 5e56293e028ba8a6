import MeshtopModel

/// Aligned text columns for a terminal: upper-case header, two spaces between columns, numbers right-aligned
/// and formatted, times as `YYYY-MM-DD HH:MM:SS.mmm` UTC, and every text through `Sanitizer.escape`.
public enum TableRenderer {
    public static func render(_ table: OutputTable) -> String {
        let rows = table.records.map { record in table.columns.map { cell(record[$0] ?? .null) } }
        let numeric = table.columns.map { column in
            table.records.contains { r in r[column].map(isNumeric) ?? false }
                && !table.records.contains { r in r[column].map { !isNumeric($0) && $0 != .null } ?? false }
        }
        var widths = table.columns.map { $0.count }
        for row in rows {
            for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) }
        }
        func line(_ cells: [String]) -> String {
            var out = ""
            for (i, c) in cells.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - c.count)
                let last = i == cells.count - 1
                out += numeric[i] ? pad + c : (last ? c : c + pad)
                if !last { out += "  " }
            }
            return out + "\n"
        }
        return line(table.columns.map { $0.uppercased() }) + rows.map(line).joined()
    }

    static func isNumeric(_ v: OutputValue) -> Bool {
        switch v {
        case .int, .number: return true
        default: return false
        }
    }

    /// One cell's text.
    public static func cell(_ value: OutputValue) -> String {
        switch value {
        case .text(let s): return Sanitizer.escape(s)
        case .int(let i): return String(i)
        case .number(let d, let decimals): return fixed(d, decimals)
        case .bool(let b): return b ? "yes" : "no"
        case .time(let t): return shortTime(t)
        case .null: return "-"
        case .list(let items): return items.map(cell).joined(separator: ",")
        case .object(let fields):
            return fields.map { Sanitizer.escape($0.key) + "=" + cell($0.value) }
                .joined(separator: " ")
        }
    }

    /// `d` with exactly `decimals` fraction digits.
    public static func fixed(_ d: Double, _ decimals: Int) -> String {
        guard d.isFinite else { return "-" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let negative = d < 0
        let scaled = (abs(d) * scale).rounded()
        guard scaled < 9e18 else { return String(d) }
        let n = Int64(scaled)
        let whole = n / Int64(scale)
        var text = (negative && n != 0 ? "-" : "") + String(whole)
        if decimals > 0 {
            let frac = String(n % Int64(scale))
            text += "." + String(repeating: "0", count: decimals - frac.count) + frac
        }
        return text
    }

    /// `2026-11-26 22:47:24.483` (UTC, milliseconds).
    public static func shortTime(_ micros: Int64) -> String {
        let full = RFC3339.format(micros: micros)
        return String(full.prefix(10)) + " " + String(full.dropFirst(11).prefix(12))
    }
}
