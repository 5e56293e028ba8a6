/// The one sanitiser for everything printed to a terminal (SPEC §1): control characters and escape sequences
/// from ingested data are shown escaped (`\x1b`, `\n`, `\t`, `\x7f`, C1 as `\u{9b}`), never sent raw.
public enum Sanitizer {
    /// Escapes C0 controls, DEL and C1 controls. Printable Unicode (including wide characters) passes through.
    public static func escape(_ s: String) -> String {
        var needs = false
        for u in s.unicodeScalars where isControl(u) {
            needs = true
            break
        }
        if !needs { return s }
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            if isControl(u) {
                let text: String
                switch u {
                case "\n": text = "\\n"
                case "\t": text = "\\t"
                case "\r": text = "\\r"
                default:
                    let v = u.value
                    if v < 0x100 {
                        text = "\\x" + (v < 0x10 ? "0" : "") + String(v, radix: 16)
                    } else {
                        text = "\\u{" + String(v, radix: 16) + "}"
                    }
                }
                out.append(contentsOf: text.unicodeScalars)
            } else {
                out.append(u)
            }
        }
        return String(out)
    }

    /// Escapes raw bytes: invalid UTF-8 bytes become `\xNN`, then controls are escaped as in `escape(_:)`.
    public static func escape(bytes: [UInt8]) -> String {
        var out = ""
        var i = 0
        var run: [UInt8] = []
        func flush() {
            if !run.isEmpty {
                out += escape(String(decoding: run, as: UTF8.self))
                run.removeAll(keepingCapacity: true)
            }
        }
        while i < bytes.count {
            let len = utf8Length(bytes, at: i)
            if len == 0 {
                flush()
                let b = bytes[i]
                out += "\\x" + (b < 0x10 ? "0" : "") + String(b, radix: 16)
                i += 1
            } else {
                run.append(contentsOf: bytes[i..<(i + len)])
                i += len
            }
        }
        flush()
        return out
    }

    @inline(__always)
    static func isControl(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        return v < 0x20 || v == 0x7f || (v >= 0x80 && v < 0xa0) || v == 0x2028 || v == 0x2029
            || (v >= 0x202a && v <= 0x202e) || (v >= 0x2066 && v <= 0x2069)
    }

    /// Length of the valid UTF-8 sequence at `i`, or 0 when invalid.
    static func utf8Length(_ b: [UInt8], at i: Int) -> Int {
        let c = b[i]
        if c < 0x80 { return 1 }
        var n = 0
        var minV: UInt32 = 0
        var v: UInt32 = 0
        if c & 0xE0 == 0xC0 {
            n = 2; v = UInt32(c & 0x1F); minV = 0x80
        } else if c & 0xF0 == 0xE0 {
            n = 3; v = UInt32(c & 0x0F); minV = 0x800
        } else if c & 0xF8 == 0xF0 {
            n = 4; v = UInt32(c & 0x07); minV = 0x10000
        } else {
            return 0
        }
        guard i + n <= b.count else { return 0 }
        for k in 1..<n {
            let cc = b[i + k]
            guard cc & 0xC0 == 0x80 else { return 0 }
            v = (v << 6) | UInt32(cc & 0x3F)
        }
        if v < minV || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) { return 0 }
        return n
    }
}
