/// Appends thrift compact protocol values to a byte buffer (the writing half of `ThriftCompactReader`).
struct ThriftCompactWriter {
    private(set) var buffer: [UInt8] = []

    init(capacity: Int = 1024) {
        buffer.reserveCapacity(capacity)
    }

    /// `82 81 00 <len> name`: protocol id, version 1 with type ONEWAY, seqid 0, method name.
    mutating func messageHeader(name: String) {
        buffer.append(0x82)
        buffer.append(0x81)
        buffer.append(0x00)
        string(name)
    }

    mutating func bytes(_ b: [UInt8]) {
        buffer.append(contentsOf: b)
    }

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            buffer.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        buffer.append(UInt8(v))
    }

    mutating func i64(_ v: Int64) {
        varint(UInt64(bitPattern: (v << 1) ^ (v >> 63)))
    }

    mutating func double(_ d: Double) {
        let bits = d.bitPattern
        for i in 0..<8 { buffer.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(i)))) }
    }

    mutating func string(_ s: String) {
        varint(UInt64(s.utf8.count))
        buffer.append(contentsOf: s.utf8)
    }

    /// A field header in the short delta form when possible, else the long form with a zigzag id.
    mutating func fieldHeader(type: UInt8, id: Int16, last: inout Int16) {
        let delta = Int(id) - Int(last)
        if delta > 0 && delta <= 15 {
            buffer.append(UInt8(delta << 4) | type)
        } else {
            buffer.append(type)
            i64(Int64(id))
        }
        last = id
    }

    /// A bool field: the value is the header's type nibble.
    mutating func boolField(_ value: Bool, id: Int16, last: inout Int16) {
        fieldHeader(type: value ? CompactType.boolTrue : CompactType.boolFalse, id: id, last: &last)
    }

    mutating func listHeader(elementType: UInt8, count: Int) {
        if count < 15 {
            buffer.append(UInt8(count << 4) | elementType)
        } else {
            buffer.append(0xF0 | elementType)
            varint(UInt64(count))
        }
    }

    mutating func stop() {
        buffer.append(CompactType.stop)
    }
}
