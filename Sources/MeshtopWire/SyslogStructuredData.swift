import MeshtopModel

/// RFC 5424 §6.3 STRUCTURED-DATA: one or more `[SD-ID PARAM-NAME="value" …]` elements. Inside values `\"`,
/// `\\` and `\]` are escapes; any other backslash is kept as written (as the RFC requires).
enum SyslogStructuredData {
    /// Parses the elements starting at `i` (a `[`), appending `"<SD-ID>.<name>"` string attributes (an element
    /// without params as `"<SD-ID>" = true`). Returns the index after the last `]`, or nil when malformed.
    static func parse(_ p: LineBytes, _ start: Int, into attrs: inout [Attribute]) -> Int? {
        let end = p.count
        var i = start
        while i < end, p[i] == UInt8(ascii: "[") {
            i += 1
            let idStart = i
            while i < end, isNameByte(p[i]) { i += 1 }
            guard i > idStart, i < end else { return nil }
            let id = ByteScan.string(p, idStart, i)
            var params = 0
            while i < end, p[i] == 0x20 {
                i += 1
                let nameStart = i
                while i < end, isNameByte(p[i]) { i += 1 }
                guard i > nameStart, i + 1 < end, p[i] == UInt8(ascii: "="), p[i + 1] == UInt8(ascii: "\"") else {
                    return nil
                }
                let name = ByteScan.string(p, nameStart, i)
                guard let (value, next) = quotedValue(p, i + 2) else { return nil }
                attrs.append(Attribute(id + "." + name, .string(value)))
                params += 1
                i = next
            }
            guard i < end, p[i] == UInt8(ascii: "]") else { return nil }
            if params == 0 { attrs.append(Attribute(id, .bool(true))) }
            i += 1
        }
        return i
    }

    /// SD-NAME: printable US-ASCII except `=`, space, `]` and `"`.
    @inline(__always)
    private static func isNameByte(_ c: UInt8) -> Bool {
        c > 0x20 && c < 0x7F && c != UInt8(ascii: "=") && c != UInt8(ascii: "]") && c != UInt8(ascii: "\"")
    }

    /// The value after an opening quote, unescaped, and the index after its closing quote.
    private static func quotedValue(_ p: LineBytes, _ start: Int) -> (String, Int)? {
        let end = p.count
        var i = start
        var escaped = false
        while i < end, p[i] != UInt8(ascii: "\"") {
            if p[i] == UInt8(ascii: "\\") {
                escaped = true
                i += 1
            }
            i += 1
        }
        guard i < end else { return nil }
        guard escaped else { return (ByteScan.string(p, start, i), i + 1) }
        var out: [UInt8] = []
        var j = start
        while j < i {
            if p[j] == UInt8(ascii: "\\"), j + 1 < i,
                p[j + 1] == UInt8(ascii: "\"") || p[j + 1] == UInt8(ascii: "\\") || p[j + 1] == UInt8(ascii: "]")
            {
                out.append(p[j + 1])
                j += 2
            } else {
                out.append(p[j])
                j += 1
            }
        }
        return (String(decoding: out, as: UTF8.self), i + 1)
    }
}
