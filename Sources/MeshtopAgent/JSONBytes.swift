/// JSON string escaping over bytes (RFC 8259), with invalid UTF-8 replaced by U+FFFD.
enum JSONBytes {
    private static let hex = Array("0123456789abcdef".utf8)

    static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendQuoted(UnsafeRawBufferPointer($0), to: &out) }
    }

    static func appendQuoted(_ bytes: [UInt8], to out: inout [UInt8]) {
        bytes.withUnsafeBytes { appendQuoted($0, to: &out) }
    }

    static func appendQuoted(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        guard isValidUTF8(bytes) else {
            appendQuoted(String(decoding: bytes, as: UTF8.self), to: &out)
            return
        }
        out.append(UInt8(ascii: "\""))
        var plainStart = 0
        for i in 0..<bytes.count {
            let b = bytes[i]
            guard b < 32 || b == 34 || b == 92 || b == 127 else { continue }
            if plainStart < i { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[plainStart..<i])) }
            plainStart = i + 1
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
            case 10: out.append(contentsOf: [92, UInt8(ascii: "n")])
            case 13: out.append(contentsOf: [92, UInt8(ascii: "r")])
            case 9: out.append(contentsOf: [92, UInt8(ascii: "t")])
            default: out.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hex[Int(b >> 4)], hex[Int(b & 15)]])
            }
        }
        if plainStart < bytes.count {
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[plainStart..<bytes.count]))
        }
        out.append(UInt8(ascii: "\""))
    }

    static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var high: UInt8 = 0
        for b in bytes { high |= b }
        if high < 0x80 { return true }
        return String(validating: bytes, as: UTF8.self) != nil
    }
}
