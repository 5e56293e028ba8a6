import MeshtopModel

/// The agent's bytes → JSON string step: lines read from files may hold invalid UTF-8, which is replaced by
/// U+FFFD before `JSONText` (the project's one JSON encoder) quotes it.
enum JSONBytes {
    static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        JSONText.appendQuoted(text, to: &out)
    }

    static func appendQuoted(_ bytes: [UInt8], to out: inout [UInt8]) {
        bytes.withUnsafeBytes { appendQuoted($0, to: &out) }
    }

    static func appendQuoted(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        guard isValidUTF8(bytes) else {
            JSONText.appendQuoted(String(decoding: bytes, as: UTF8.self), to: &out)
            return
        }
        JSONText.appendQuoted(validUTF8: bytes.assumingMemoryBound(to: UInt8.self), to: &out)
    }

    static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var high: UInt8 = 0
        for b in bytes { high |= b }
        if high < 0x80 { return true }
        return String(validating: bytes, as: UTF8.self) != nil
    }
}
