/// Why a thrift read stopped. The decoders map every case to `RejectReason.thrift`.
enum ThriftError: Error {
    case truncated
    case malformed
    case tooDeep
}

/// Type ids of the thrift compact protocol (apache/thrift `doc/specs/thrift-compact-protocol.md`).
enum CompactType {
    static let stop: UInt8 = 0
    static let boolTrue: UInt8 = 1
    static let boolFalse: UInt8 = 2
    static let byte: UInt8 = 3
    static let i16: UInt8 = 4
    static let i32: UInt8 = 5
    static let i64: UInt8 = 6
    static let double: UInt8 = 7
    static let binary: UInt8 = 8
    static let list: UInt8 = 9
    static let set: UInt8 = 10
    static let map: UInt8 = 11
    static let `struct`: UInt8 = 12
    static let uuid: UInt8 = 13
}

/// A bounds-checked cursor over thrift compact bytes. Every read checks the remaining length first, a
/// collection's declared size may not exceed the bytes left (each element takes at least one), and nesting is
/// capped, so hostile input ends in a `ThriftError` instead of a trap or a large allocation.
struct ThriftCompactReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var position = 0
    private var depth = 0
    static let maxDepth = 24

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var remaining: Int { bytes.count - position }

    @inline(__always)
    mutating func readByte() throws(ThriftError) -> UInt8 {
        guard position < bytes.count else { throw .truncated }
        let b = bytes[position]
        position += 1
        return b
    }

    /// An unsigned LEB128 varint of at most 10 bytes.
    @inline(__always)
    mutating func readVarint() throws(ThriftError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try readByte()
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw .malformed }
        }
    }

    @inline(__always)
    mutating func readI64() throws(ThriftError) -> Int64 {
        let u = try readVarint()
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    mutating func readI32() throws(ThriftError) -> Int32 {
        let v = try readI64()
        guard let r = Int32(exactly: v) else { throw .malformed }
        return r
    }

    mutating func readDouble() throws(ThriftError) -> Double {
        guard remaining >= 8 else { throw .truncated }
        var bits: UInt64 = 0
        for i in 0..<8 { bits |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
        position += 8
        return Double(bitPattern: bits)
    }

    /// A length-prefixed byte run, as a view into the input.
    mutating func readBinary() throws(ThriftError) -> UnsafeRawBufferPointer {
        let n = try readVarint()
        guard n <= UInt64(remaining) else { throw .truncated }
        let start = position
        position += Int(n)
        return UnsafeRawBufferPointer(rebasing: bytes[start..<position])
    }

    mutating func readString() throws(ThriftError) -> String {
        let raw = try readBinary()
        return String(decoding: raw.assumingMemoryBound(to: UInt8.self), as: UTF8.self)
    }

    /// The next field header of the current struct, or nil at its STOP byte. `lastID` carries the previous
    /// field id for the short (delta) form.
    mutating func readFieldHeader(lastID: inout Int16) throws(ThriftError) -> (type: UInt8, id: Int16)? {
        let b = try readByte()
        let type = b & 0x0F
        if type == CompactType.stop { return nil }
        let delta = Int16(b >> 4)
        if delta == 0 {
            let v = try readI64()
            guard let id = Int16(exactly: v) else { throw .malformed }
            lastID = id
        } else {
            lastID = lastID &+ delta
        }
        return (type, lastID)
    }

    /// A list or set header. The count is checked against the remaining bytes.
    mutating func readListHeader() throws(ThriftError) -> (elementType: UInt8, count: Int) {
        let b = try readByte()
        var count = UInt64(b >> 4)
        if count == 15 { count = try readVarint() }
        guard count <= UInt64(remaining) else { throw .truncated }
        return (b & 0x0F, Int(count))
    }

    /// Reads a bool field whose value travelled in the header's type nibble.
    static func boolValue(fieldType: UInt8) -> Bool? {
        switch fieldType {
        case CompactType.boolTrue: return true
        case CompactType.boolFalse: return false
        default: return nil
        }
    }

    /// Enters a nested struct, failing past the depth cap.
    mutating func enter() throws(ThriftError) {
        depth += 1
        if depth > Self.maxDepth { throw .tooDeep }
    }

    mutating func leave() {
        depth -= 1
    }

    /// Skips one value of `type`. Inside a collection a bool occupies one byte; in a field header it has none.
    mutating func skip(_ type: UInt8, inCollection: Bool = false) throws(ThriftError) {
        switch type {
        case CompactType.boolTrue, CompactType.boolFalse:
            if inCollection { _ = try readByte() }
        case CompactType.byte:
            _ = try readByte()
        case CompactType.i16, CompactType.i32, CompactType.i64:
            _ = try readVarint()
        case CompactType.double:
            try advance(8)
        case CompactType.binary:
            _ = try readBinary()
        case CompactType.uuid:
            try advance(16)
        case CompactType.list, CompactType.set:
            try enter()
            let (element, count) = try readListHeader()
            for _ in 0..<count { try skip(element, inCollection: true) }
            leave()
        case CompactType.map:
            try enter()
            let count = try readVarint()
            if count > 0 {
                guard count <= UInt64(remaining / 2) else { throw .truncated }
                let kv = try readByte()
                for _ in 0..<count {
                    try skip(kv >> 4, inCollection: true)
                    try skip(kv & 0x0F, inCollection: true)
                }
            }
            leave()
        case CompactType.struct:
            try enter()
            var last: Int16 = 0
            while let field = try readFieldHeader(lastID: &last) { try skip(field.type) }
            leave()
        default:
            throw .malformed
        }
    }

    private mutating func advance(_ n: Int) throws(ThriftError) {
        guard remaining >= n else { throw .truncated }
        position += n
    }
}
