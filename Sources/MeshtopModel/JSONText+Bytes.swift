extension JSONText {
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `s` as a quoted JSON string.
    public static func appendQuoted(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { appendQuoted(validUTF8: $0, to: &out) }
    }

    /// Appends already-validated UTF-8 bytes as a quoted JSON string. Runs of bytes that need no escape (most
    /// text, all of it usually) are copied whole; only `"`, `\\`, C0 and C1 controls and DEL are escaped.
    public static func appendQuoted(validUTF8 bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(0x22)
        var i = 0
        var run = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b >= 0x20 && b != 0x22 && b != 0x5C && b != 0x7F
                && (b != 0xC2 || i + 1 >= n || bytes[i + 1] < 0x80 || bytes[i + 1] > 0x9F)
            {
                i += 1
                continue
            }
            if run < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i])) }
            switch b {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x0A: out.append(0x5C); out.append(0x6E)
            case 0x0D: out.append(0x5C); out.append(0x72)
            case 0x09: out.append(0x5C); out.append(0x74)
            case 0xC2:
                // C1 control (U+0080–U+009F): two UTF-8 bytes, one escape.
                i += 1
                appendUnicodeEscape(bytes[i], to: &out)
            default: appendUnicodeEscape(b, to: &out)  // other C0 controls, DEL
            }
            i += 1
            run = i
        }
        if run < n { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<n])) }
        out.append(0x22)
    }

    private static func appendUnicodeEscape(_ v: UInt8, to out: inout [UInt8]) {
        out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hexDigits[Int(v >> 4)], hexDigits[Int(v & 0xF)]])
    }

    public static func append(_ v: AttributeValue, to out: inout [UInt8]) {
        switch v {
        case .string(let s): appendQuoted(s, to: &out)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d): out.append(contentsOf: number(d).utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .array(let a):
            out.append(0x5B)
            for (k, e) in a.enumerated() {
                if k > 0 { out.append(0x2C) }
                append(e, to: &out)
            }
            out.append(0x5D)
        case .map(let m): append(m, to: &out)
        }
    }

    public static func append(_ attrs: [Attribute], to out: inout [UInt8]) {
        out.append(0x7B)
        for (k, a) in attrs.enumerated() {
            if k > 0 { out.append(0x2C) }
            appendQuoted(a.key, to: &out)
            out.append(0x3A)
            append(a.value, to: &out)
        }
        out.append(0x7D)
    }

    public static func append(_ events: [SpanEvent], to out: inout [UInt8]) {
        out.append(0x5B)
        for (k, e) in events.enumerated() {
            if k > 0 { out.append(0x2C) }
            out.append(contentsOf: "{\"time\":\(e.timeMicros),\"name\":".utf8)
            appendQuoted(e.name, to: &out)
            out.append(contentsOf: ",\"attributes\":".utf8)
            append(e.attributes, to: &out)
            out.append(0x7D)
        }
        out.append(0x5D)
    }
}
