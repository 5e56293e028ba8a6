/// Why a JSON text was not accepted.
public enum JSONParseError: Error, Sendable, Hashable {
    /// A string (or a byte outside strings) is not well-formed UTF-8, or an escape names a lone surrogate.
    case invalidUTF8
    /// Arrays/objects nest deeper than `maxDepth`; the parser stops there instead of recursing further.
    case tooDeep
    /// Not RFC 8259 JSON; `offset` is the byte where the parser gave up.
    case syntax(offset: Int)
}

/// A strict RFC 8259 JSON parser working on raw bytes, without Foundation.
///
/// Rules: exactly one value with optional surrounding whitespace; no comments, no trailing commas, no leading
/// zeros, no NaN/Infinity; every escape including `\uD83D\uDE00` surrogate pairs (a lone surrogate is rejected
/// as `.invalidUTF8`); raw control characters in strings are rejected; strings must be valid UTF-8. Integers
/// without fraction or exponent that fit in Int64 become `.int`, other numbers `.double`. Work is linear in the
/// input and recursion is bounded by `maxDepth`.
public enum JSONParser {
    /// Parses `bytes` as one JSON document.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, maxDepth: Int = 64
    ) -> Result<JSONValue, JSONParseError> {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return .failure(.syntax(offset: 0)) }
        let start = base.assumingMemoryBound(to: UInt8.self)
        var reader = JSONReader(base: start, count: bytes.count, maxDepth: maxDepth)
        do {
            reader.skipWhitespace()
            let value = try reader.parseValue(depth: 0)
            reader.skipWhitespace()
            guard reader.pos == reader.count else { return .failure(.syntax(offset: reader.pos)) }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }

    /// Parses a byte array as one JSON document.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 64) -> Result<JSONValue, JSONParseError> {
        bytes.withUnsafeBytes { parse($0, maxDepth: maxDepth) }
    }

    /// Parses a byte slice as one JSON document.
    public static func parse(
        _ bytes: ArraySlice<UInt8>, maxDepth: Int = 64
    ) -> Result<JSONValue, JSONParseError> {
        bytes.withUnsafeBytes { parse($0, maxDepth: maxDepth) }
    }

    /// Parses the UTF-8 of a string as one JSON document.
    public static func parse(_ text: String, maxDepth: Int = 64) -> Result<JSONValue, JSONParseError> {
        var copy = text
        return copy.withUTF8 { parse(UnsafeRawBufferPointer($0), maxDepth: maxDepth) }
    }
}

/// The cursor behind `JSONParser`. Kept internal so other decoders in the module can reuse `UTF8Check`.
struct JSONReader {
    let base: UnsafePointer<UInt8>
    let count: Int
    let maxDepth: Int
    var pos = 0
    /// Scratch buffer for strings that contain escapes; reused across strings.
    var scratch: [UInt8] = []

    init(base: UnsafePointer<UInt8>, count: Int, maxDepth: Int) {
        self.base = base
        self.count = count
        self.maxDepth = maxDepth
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while pos < count {
            let c = base[pos]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            pos += 1
        }
    }

    func fail() -> JSONParseError {
        if pos < count, base[pos] >= 0x80, UTF8Check.sequenceLength(base, pos, count) == nil { return .invalidUTF8 }
        return .syntax(offset: pos)
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard pos < count else { throw .syntax(offset: pos) }
        switch base[pos] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw fail()
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let n = word.utf8CodeUnitCount
        guard pos + n <= count else { throw .syntax(offset: pos) }
        let w = word.utf8Start
        for i in 0..<n where base[pos + i] != w[i] { throw .syntax(offset: pos + i) }
        pos += n
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw .tooDeep }
        pos += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if pos < count, base[pos] == UInt8(ascii: "]") {
            pos += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue(depth: depth))
            skipWhitespace()
            guard pos < count else { throw .syntax(offset: pos) }
            let c = base[pos]
            pos += 1
            if c == UInt8(ascii: ",") { continue }
            if c == UInt8(ascii: "]") { return .array(items) }
            pos -= 1
            throw fail()
        }
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw .tooDeep }
        pos += 1
        var members: [JSONMember] = []
        skipWhitespace()
        if pos < count, base[pos] == UInt8(ascii: "}") {
            pos += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard pos < count, base[pos] == UInt8(ascii: "\"") else { throw fail() }
            let key = try parseString()
            skipWhitespace()
            guard pos < count, base[pos] == UInt8(ascii: ":") else { throw fail() }
            pos += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            members.append(JSONMember(key, value))
            skipWhitespace()
            guard pos < count else { throw .syntax(offset: pos) }
            let c = base[pos]
            pos += 1
            if c == UInt8(ascii: ",") { continue }
            if c == UInt8(ascii: "}") { return .object(members) }
            pos -= 1
            throw fail()
        }
    }

    /// Parses a string starting at the opening quote.
    mutating func parseString() throws(JSONParseError) -> String {
        pos += 1
        let start = pos
        // Fast path: no escapes.
        while pos < count {
            let c = base[pos]
            if c == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(start: base + start, count: pos - start), as: UTF8.self)
                pos += 1
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw .syntax(offset: pos) }
            if c < 0x80 {
                pos += 1
            } else {
                guard let n = UTF8Check.sequenceLength(base, pos, count) else { throw .invalidUTF8 }
                pos += n
            }
        }
        guard pos < count else { throw .syntax(offset: pos) }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(start: base + start, count: pos - start))
        while pos < count {
            let c = base[pos]
            if c == UInt8(ascii: "\"") {
                pos += 1
                return String(decoding: scratch, as: UTF8.self)
            }
            if c == UInt8(ascii: "\\") {
                try parseEscape()
            } else if c < 0x20 {
                throw .syntax(offset: pos)
            } else if c < 0x80 {
                scratch.append(c)
                pos += 1
            } else {
                guard let n = UTF8Check.sequenceLength(base, pos, count) else { throw .invalidUTF8 }
                scratch.append(contentsOf: UnsafeBufferPointer(start: base + pos, count: n))
                pos += n
            }
        }
        throw .syntax(offset: pos)
    }

    mutating func parseEscape() throws(JSONParseError) {
        guard pos + 1 < count else { throw .syntax(offset: pos) }
        let e = base[pos + 1]
        pos += 2
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(e)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if scalar >= 0xD800 && scalar <= 0xDBFF {
                guard pos + 1 < count, base[pos] == UInt8(ascii: "\\"), base[pos + 1] == UInt8(ascii: "u") else {
                    throw .invalidUTF8
                }
                pos += 2
                let low = try hex4()
                guard low >= 0xDC00 && low <= 0xDFFF else { throw .invalidUTF8 }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                throw .invalidUTF8
            }
            UTF8Check.append(scalar: scalar, to: &scratch)
        default:
            throw .syntax(offset: pos - 1)
        }
    }

    mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard pos + 4 <= count else { throw .syntax(offset: pos) }
        var v: UInt32 = 0
        for i in 0..<4 {
            let c = base[pos + i]
            let n: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): n = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): n = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): n = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw .syntax(offset: pos + i)
            }
            v = v << 4 | n
        }
        pos += 4
        return v
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = pos
        var negative = false
        if base[pos] == UInt8(ascii: "-") {
            negative = true
            pos += 1
        }
        guard pos < count, isDigit(base[pos]) else { throw .syntax(offset: pos) }
        var magnitude: UInt64 = 0
        var overflow = false
        if base[pos] == UInt8(ascii: "0") {
            pos += 1
        } else {
            while pos < count, isDigit(base[pos]) {
                let (m1, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (m2, o2) = m1.addingReportingOverflow(UInt64(base[pos] - UInt8(ascii: "0")))
                overflow = overflow || o1 || o2
                magnitude = m2
                pos += 1
            }
        }
        var integral = true
        if pos < count, base[pos] == UInt8(ascii: ".") {
            integral = false
            pos += 1
            guard pos < count, isDigit(base[pos]) else { throw .syntax(offset: pos) }
            while pos < count, isDigit(base[pos]) { pos += 1 }
        }
        if pos < count, base[pos] == UInt8(ascii: "e") || base[pos] == UInt8(ascii: "E") {
            integral = false
            pos += 1
            if pos < count, base[pos] == UInt8(ascii: "+") || base[pos] == UInt8(ascii: "-") { pos += 1 }
            guard pos < count, isDigit(base[pos]) else { throw .syntax(offset: pos) }
            while pos < count, isDigit(base[pos]) { pos += 1 }
        }
        if integral && !overflow {
            if !negative, magnitude <= UInt64(Int64.max) { return .int(Int64(magnitude)) }
            if negative, magnitude <= UInt64(Int64.max) { return .int(-Int64(magnitude)) }
            if negative, magnitude == UInt64(Int64.max) + 1 { return .int(Int64.min) }
        }
        let text = String(decoding: UnsafeBufferPointer(start: base + start, count: pos - start), as: UTF8.self)
        guard let d = Double(text) else { throw .syntax(offset: start) }
        return .double(d)
    }

    @inline(__always)
    func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
}

/// UTF-8 well-formedness (Unicode Table 3-7): no overlongs, no surrogates, nothing above U+10FFFF.
enum UTF8Check {
    /// The length of the well-formed multi-byte sequence starting at `i` (whose lead byte is ≥ 0x80), else nil.
    @inline(__always)
    static func sequenceLength(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Int? {
        let b0 = p[i]
        @inline(__always) func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            i + k < end && p[i + k] >= lo && p[i + k] <= hi
        }
        switch b0 {
        case 0xC2...0xDF: return cont(1) ? 2 : nil
        case 0xE0: return cont(1, 0xA0) && cont(2) ? 3 : nil
        case 0xE1...0xEC, 0xEE...0xEF: return cont(1) && cont(2) ? 3 : nil
        case 0xED: return cont(1, 0x80, 0x9F) && cont(2) ? 3 : nil
        case 0xF0: return cont(1, 0x90) && cont(2) && cont(3) ? 4 : nil
        case 0xF1...0xF3: return cont(1) && cont(2) && cont(3) ? 4 : nil
        case 0xF4: return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : nil
        default: return nil
        }
    }

    /// Whether `count` bytes at `p` are well-formed UTF-8. ASCII runs are checked 8 bytes at a time.
    static func isValid(_ p: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i < count {
            if i + 8 <= count, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
                continue
            }
            if p[i] < 0x80 {
                i += 1
                continue
            }
            guard let n = sequenceLength(p, i, count) else { return false }
            i += n
        }
        return true
    }

    /// Appends the UTF-8 encoding of a scalar value (already known not to be a surrogate).
    static func append(scalar v: UInt32, to out: inout [UInt8]) {
        switch v {
        case 0..<0x80:
            out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (v >> 6)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (v >> 12)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (v >> 18)))
            out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }
}
