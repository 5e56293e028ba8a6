import Foundation

/// Writes the Prometheus text exposition format (version 0.0.4) or OpenMetrics 1.0 text: metric families with
/// `# HELP` and `# TYPE`, samples with escaped label values, `# EOF` for OpenMetrics. Written by hand rather than
/// with swift-prometheus: meshtop mirrors state it already computes (breaker states, rollups with their own
/// quantiles, counters derived from per-minute upserts) into series at scrape time, which a registry of live
/// counters and histograms would have to duplicate, and swift-prometheus has no summary with given quantiles.
struct PrometheusText {
    enum Kind: String { case counter, gauge, histogram, summary }

    let openMetrics: Bool
    private(set) var text = ""

    init(openMetrics: Bool) {
        self.openMetrics = openMetrics
    }

    /// Starts a family. For OpenMetrics a counter family is named without `_total` (its samples keep it).
    mutating func family(_ name: String, _ kind: Kind, _ help: String) {
        let familyName = openMetrics && kind == .counter && name.hasSuffix("_total") ? String(name.dropLast(6)) : name
        text += "# HELP \(familyName) \(Self.escapeHelp(help))\n# TYPE \(familyName) \(kind.rawValue)\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{"
            text += labels.map { "\($0.0)=\"\(Self.escapeLabel($0.1))\"" }.joined(separator: ",")
            text += "}"
        }
        text += " " + Self.format(value) + "\n"
    }

    mutating func finish() -> String {
        if openMetrics { text += "# EOF\n" }
        return text
    }

    static func format(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }

    static func escapeLabel(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    static func escapeHelp(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// A metric or label name from arbitrary text: `[a-zA-Z_:][a-zA-Z0-9_:]*` (labels without `:`), other
    /// characters become `_`, as statsd_exporter maps StatsD names.
    static func name(_ s: String, allowColon: Bool = true) -> String {
        var out = ""
        for (i, u) in s.unicodeScalars.enumerated() {
            let ok =
                (u >= "a" && u <= "z") || (u >= "A" && u <= "Z") || u == "_" || (allowColon && u == ":")
                || (i > 0 && u >= "0" && u <= "9")
            out.unicodeScalars.append(ok ? u : "_")
        }
        return out.isEmpty ? "_" : out
    }
}
