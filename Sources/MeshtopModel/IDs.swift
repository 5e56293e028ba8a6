/// A 128-bit trace id. 64-bit ids (Zipkin, Jaeger without `traceIdHigh`) are zero-extended: `high == 0`.
public struct TraceID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Parses 1–32 hex digits (case-insensitive). Shorter ids are zero-extended on the left.
    public init?(hex: some StringProtocol) {
        guard let (h, l) = HexParsing.parse128(hex) else { return nil }
        self.init(high: h, low: l)
    }

    public var isZero: Bool { high == 0 && low == 0 }

    /// 32 lowercase hex digits.
    public var hex: String { HexParsing.hex64(high) + HexParsing.hex64(low) }
    public var description: String { hex }

    public static func < (a: TraceID, b: TraceID) -> Bool { (a.high, a.low) < (b.high, b.low) }
}

/// A 64-bit span id.
public struct SpanID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var raw: UInt64

    public init(_ raw: UInt64) { self.raw = raw }

    /// Parses 1–16 hex digits (case-insensitive).
    public init?(hex: some StringProtocol) {
        guard let (h, l) = HexParsing.parse128(hex), h == 0, hex.utf8.count <= 16 else { return nil }
        self.raw = l
    }

    public var isZero: Bool { raw == 0 }
    /// 16 lowercase hex digits.
    public var hex: String { HexParsing.hex64(raw) }
    public var description: String { hex }
    public static func < (a: SpanID, b: SpanID) -> Bool { a.raw < b.raw }
}

public enum HexParsing {
    /// The value of one hex digit, nil for any other byte.
    @inline(__always)
    public static func nibble(_ c: UInt8) -> UInt64? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt64(c &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt64(c &- UInt8(ascii: "a") &+ 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt64(c &- UInt8(ascii: "A") &+ 10)
        default: return nil
        }
    }

    /// Parses up to 32 hex digits into (high, low).
    public static func parse128(_ s: some StringProtocol) -> (UInt64, UInt64)? {
        let bytes = Array(s.utf8)
        guard !bytes.isEmpty, bytes.count <= 32 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for c in bytes {
            guard let n = nibble(c) else { return nil }
            high = (high << 4) | (low >> 60)
            low = (low << 4) | n
        }
        return (high, low)
    }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// 16 lowercase hex digits, zero-padded.
    public static func hex64(_ v: UInt64) -> String {
        var out = [UInt8](repeating: 0, count: 16)
        var x = v
        for i in stride(from: 15, through: 0, by: -1) {
            out[i] = digits[Int(x & 0xF)]
            x >>= 4
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Lowercase hex of arbitrary bytes.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
