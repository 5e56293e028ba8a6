import MeshtopModel

/// Compact number and time renderings for narrow columns.
public enum Format {
    /// `0`, `12`, `1.2k`, `34k`, `1.2M`.
    public static func count(_ v: Double) -> String {
        guard v.isFinite else { return "-" }
        let a = abs(v)
        if a < 1_000 { return a == a.rounded() ? String(Int64(v)) : fixed(v, 1) }
        if a < 10_000 { return fixed(v / 1_000, 1) + "k" }
        if a < 1_000_000 { return String(Int64((v / 1_000).rounded())) + "k" }
        if a < 10_000_000 { return fixed(v / 1_000_000, 1) + "M" }
        return String(Int64((v / 1_000_000).rounded())) + "M"
    }

    /// Requests per second: `0.5`, `12.3`, `1.2k`.
    public static func rate(_ v: Double) -> String {
        if abs(v) < 100 { return fixed(v, 1) }
        return count(v)
    }

    /// Milliseconds: `0.42ms`, `12ms`, `1.5s`.
    public static func ms(_ v: Double) -> String {
        guard v.isFinite else { return "-" }
        if v == 0 { return "0ms" }
        if v < 1 { return fixed(v, 2) + "ms" }
        if v < 1_000 { return String(Int64(v.rounded())) + "ms" }
        if v < 60_000 { return fixed(v / 1_000, 1) + "s" }
        return fixed(v / 60_000, 1) + "m"
    }

    /// A duration in µs as `ms`.
    public static func micros(_ v: Int64) -> String { ms(Double(v) / 1_000) }

    /// `0.0%`, `12%`.
    public static func percent(_ fraction: Double) -> String {
        guard fraction.isFinite else { return "-" }
        let p = fraction * 100
        if p == 0 { return "0%" }
        if p < 10 { return fixed(p, 1) + "%" }
        return String(Int64(p.rounded())) + "%"
    }

    /// `512B`, `1.5KB`, `12MB`, `1.2GB` (powers of 1024).
    public static func bytes(_ v: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var x = Double(v)
        var i = 0
        while x >= 1024, i < units.count - 1 {
            x /= 1024
            i += 1
        }
        return (i == 0 || x >= 10 ? String(Int64(x.rounded())) : fixed(x, 1)) + units[i]
    }

    /// An age: `3s`, `5m`, `2h`, `4d`.
    public static func age(_ micros: Int64) -> String {
        let s = max(micros, 0) / 1_000_000
        if s < 60 { return "\(s)s" }
        if s < 3_600 { return "\(s / 60)m" }
        if s < 86_400 { return "\(s / 3_600)h" }
        return "\(s / 86_400)d"
    }

    /// `HH:MM:SS` (UTC).
    public static func clock(_ micros: Int64) -> String {
        let t = RFC3339.format(micros: micros)
        let start = t.index(t.startIndex, offsetBy: 11)
        return String(t[start..<t.index(start, offsetBy: 8)])
    }

    /// `HH:MM:SS.mmm` (UTC).
    public static func clockMillis(_ micros: Int64) -> String {
        let t = RFC3339.format(micros: micros)
        let start = t.index(t.startIndex, offsetBy: 11)
        return String(t[start..<t.index(start, offsetBy: 12)])
    }

    public static func fixed(_ v: Double, _ digits: Int) -> String {
        let m = digits == 1 ? 10.0 : 100.0
        let r = (v * m).rounded() / m
        var s = String(r)
        if let dot = s.firstIndex(of: ".") {
            let have = s.distance(from: dot, to: s.endIndex) - 1
            if have < digits { s += String(repeating: "0", count: digits - have) }
        } else {
            s += "." + String(repeating: "0", count: digits)
        }
        return s
    }
}
