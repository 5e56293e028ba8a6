/// A line of bytes as the text decoders see it: no newline, already checked for length (and, when it comes
/// through `WireDecoder`, for UTF-8).
typealias LineBytes = UnsafeBufferPointer<UInt8>

/// Byte-level helpers shared by the text decoders (StatsD, DogStatsD, syslog, logfmt). No Foundation.
enum ByteScan {
    /// The text of `p[from..<to]`. Invalid UTF-8 (only possible when a decoder is called directly) is replaced
    /// by U+FFFD, never trapped on.
    @inline(__always)
    static func string(_ p: LineBytes, _ from: Int, _ to: Int) -> String {
        guard from < to else { return "" }
        return String(decoding: UnsafeBufferPointer(rebasing: p[from..<to]), as: UTF8.self)
    }

    /// `p[from..<to]` as raw bytes.
    @inline(__always)
    static func raw(_ p: LineBytes, _ from: Int, _ to: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: p[from..<to]))
    }

    /// The first index of `byte` in `p[from..<to]`, else `to`.
    @inline(__always)
    static func find(_ byte: UInt8, _ p: LineBytes, _ from: Int, _ to: Int) -> Int {
        var i = from
        while i < to, p[i] != byte { i += 1 }
        return i
    }

    /// Whether `p[from..<to]` equals the ASCII `word`.
    static func equals(_ p: LineBytes, _ from: Int, _ to: Int, _ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard to - from == n else { return false }
        let w = word.utf8Start
        for i in 0..<n where p[from + i] != w[i] { return false }
        return true
    }

    /// Whether `p[from...]` starts with the ASCII `word`.
    static func hasPrefix(_ p: LineBytes, _ from: Int, _ to: Int, _ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard to - from >= n else { return false }
        return equals(p, from, from + n, word)
    }

    /// A non-negative decimal integer of at most 18 digits, else nil.
    static func unsigned(_ p: LineBytes, _ from: Int, _ to: Int) -> Int64? {
        guard from < to, to - from <= 18 else { return nil }
        var v: Int64 = 0
        for i in from..<to {
            let c = p[i] &- 48
            guard c < 10 else { return nil }
            v = v * 10 + Int64(c)
        }
        return v
    }

    /// Parses a decimal number (`-12`, `+5`, `12.500000`, `1e3`, `.5`) to a finite Double, else nil.
    ///
    /// Plain decimals whose digits fit in 2^53 with at most 22 fraction digits are computed exactly as
    /// `mantissa / 10^k` (one correctly rounded division, Clinger's fast path); anything else falls back to the
    /// standard library's parser.
    static func double(_ p: LineBytes, _ from: Int, _ to: Int) -> Double? {
        guard from < to else { return nil }
        var i = from
        var negative = false
        if p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") {
            negative = p[i] == UInt8(ascii: "-")
            i += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var fraction = 0
        var seenDot = false
        while i < to {
            let c = p[i]
            if c == UInt8(ascii: ".") {
                if seenDot { return nil }
                seenDot = true
            } else if c &- 48 < 10 {
                if digits >= 15 { return slowDouble(p, from, to) }
                mantissa = mantissa * 10 + UInt64(c &- 48)
                digits += 1
                if seenDot { fraction += 1 }
            } else {
                return slowDouble(p, from, to)
            }
            i += 1
        }
        guard digits > 0 else { return nil }
        var v = Double(mantissa)
        if fraction > 0 { v /= powersOfTen[fraction] }
        return negative ? -v : v
    }

    private static let powersOfTen: [Double] = (0...22).map { k in
        var v = 1.0
        for _ in 0..<k { v *= 10 }
        return v
    }

    private static func slowDouble(_ p: LineBytes, _ from: Int, _ to: Int) -> Double? {
        guard to - from <= 64 else { return nil }
        for i in from..<to {
            switch p[i] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"),
                UInt8(ascii: "+"), UInt8(ascii: "-"):
                continue
            default:
                return nil
            }
        }
        guard let d = Double(string(p, from, to)), d.isFinite else { return nil }
        return d
    }
}
