import Foundation
import MeshtopModel

/// Ids are stored as big-endian BLOBs (trace 16 bytes, span 8 bytes) so `hex()` prints them and a hex prefix
/// maps to a contiguous blob range.
extension TraceID {
    /// The 16-byte big-endian BLOB stored in `trace_id` columns.
    public var databaseBlob: Data {
        var bytes = [UInt8](repeating: 0, count: 16)
        BlobCodec.store(high, into: &bytes, at: 0)
        BlobCodec.store(low, into: &bytes, at: 8)
        return Data(bytes)
    }

    /// Decodes a `trace_id` BLOB (16 bytes; 8 bytes are accepted as a 64-bit id). Other lengths give nil.
    public init?(databaseBlob data: Data) {
        let bytes = [UInt8](data)
        switch bytes.count {
        case 16: self.init(high: BlobCodec.load(bytes, at: 0), low: BlobCodec.load(bytes, at: 8))
        case 8: self.init(high: 0, low: BlobCodec.load(bytes, at: 0))
        default: return nil
        }
    }

    /// The half-open BLOB range `[lower, upper)` holding every trace id whose 32-digit hex starts with
    /// `hexPrefix` (case-insensitive, up to 32 digits). `upper` is nil when the range is unbounded above.
    /// Returns nil for a prefix that is not hex. Use as `trace_id >= ? AND trace_id < ?`.
    public static func databaseBlobRange(hexPrefix: String) -> (lower: Data, upper: Data?)? {
        let digits = Array(hexPrefix.utf8)
        guard digits.count <= 32 else { return nil }
        var nibbles: [UInt8] = []
        for c in digits {
            guard let n = HexParsing.parse128(String(decoding: [c], as: UTF8.self))?.1 else { return nil }
            nibbles.append(UInt8(n))
        }
        let lower = pack(nibbles)
        // upper = the prefix plus one in its last digit, with carry; all `f` has no upper bound.
        var next = nibbles
        var i = next.count - 1
        while i >= 0, next[i] == 15 {
            next[i] = 0
            i -= 1
        }
        guard i >= 0 else { return (lower, nil) }
        next[i] += 1
        return (lower, pack(next))
    }

    private static func pack(_ nibbles: [UInt8]) -> Data {
        var bytes = [UInt8](repeating: 0, count: 16)
        for (i, n) in nibbles.enumerated() { bytes[i / 2] |= i % 2 == 0 ? n << 4 : n }
        return Data(bytes)
    }
}

extension SpanID {
    /// The 8-byte big-endian BLOB stored in `span_id`/`parent_id` columns.
    public var databaseBlob: Data {
        var bytes = [UInt8](repeating: 0, count: 8)
        BlobCodec.store(raw, into: &bytes, at: 0)
        return Data(bytes)
    }

    /// Decodes an 8-byte `span_id` BLOB; other lengths give nil.
    public init?(databaseBlob data: Data) {
        let bytes = [UInt8](data)
        guard bytes.count == 8 else { return nil }
        self.init(BlobCodec.load(bytes, at: 0))
    }
}

enum BlobCodec {
    @inline(__always)
    static func store(_ v: UInt64, into bytes: inout [UInt8], at offset: Int) {
        for i in 0..<8 { bytes[offset + i] = UInt8(truncatingIfNeeded: v >> (56 - 8 * UInt64(i))) }
    }

    @inline(__always)
    static func load(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<8 { v = (v << 8) | UInt64(bytes[offset + i]) }
        return v
    }
}
