/// Parses the command-line durations of SPEC §1: `250ms`, `1.5s`, `15m`, `2h`, `7d`, also `us`, `w`.
/// A bare number means seconds.
public enum DurationText {
    /// Microseconds, or nil when malformed or negative.
    public static func parseMicros(_ text: String) -> Int64? {
        let t = text.trimmingWhitespace()
        guard !t.isEmpty else { return nil }
        var numEnd = t.startIndex
        while numEnd < t.endIndex, t[numEnd].isNumber || t[numEnd] == "." { numEnd = t.index(after: numEnd) }
        guard let n = Double(t[..<numEnd]), n >= 0, n.isFinite else { return nil }
        let unit = t[numEnd...]
        let mult: Double
        switch unit {
        case "us", "µs": mult = 1
        case "ms": mult = 1_000
        case "", "s": mult = 1_000_000
        case "m": mult = 60_000_000
        case "h": mult = 3_600_000_000
        case "d": mult = 86_400_000_000
        case "w": mult = 604_800_000_000
        default: return nil
        }
        let v = n * mult
        guard v < 9.2e18 else { return nil }
        return Int64(v.rounded())
    }

    /// `1.5s`, `250ms`, `15m`, `2h`: the shortest exact-ish rendering.
    public static func format(micros: Int64) -> String {
        let a = abs(micros)
        if a < 1_000 { return "\(micros)us" }
        if a < 1_000_000 { return trim(Double(micros) / 1_000) + "ms" }
        if a < 60_000_000 { return trim(Double(micros) / 1_000_000) + "s" }
        if a < 3_600_000_000 { return trim(Double(micros) / 60_000_000) + "m" }
        if a < 86_400_000_000 { return trim(Double(micros) / 3_600_000_000) + "h" }
        return trim(Double(micros) / 86_400_000_000) + "d"
    }

    static func trim(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        if r == r.rounded() { return String(Int64(r)) }
        return String(r)
    }
}

extension String {
    /// Trims spaces, tabs and newlines at both ends.
    public func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s.removeLast() }
        return String(s)
    }
}
