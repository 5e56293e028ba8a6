import Testing

@testable import MeshtopWire

@Suite struct JSONParserTests {
    func ok(_ s: String) -> JSONValue? {
        if case .success(let v) = JSONParser.parse(s) { return v }
        return nil
    }

    func err(_ bytes: [UInt8], maxDepth: Int = 64) -> JSONParseError? {
        if case .failure(let e) = JSONParser.parse(bytes, maxDepth: maxDepth) { return e }
        return nil
    }

    @Test func scalars() {
        #expect(ok("null") == .null)
        #expect(ok(" true ") == .bool(true))
        #expect(ok("false") == .bool(false))
        #expect(ok("0") == .int(0))
        #expect(ok("-0") == .int(0))
        #expect(ok("9223372036854775807") == .int(Int64.max))
        #expect(ok("-9223372036854775808") == .int(Int64.min))
        #expect(ok("9223372036854775808") == .double(9223372036854775808.0))
        #expect(ok("1.5") == .double(1.5))
        #expect(ok("-2e3") == .double(-2000))
        #expect(ok("1E+2") == .double(100))
        #expect(ok("\"a\"") == .string("a"))
    }

    @Test func containersKeepOrderAndDuplicates() {
        let v = ok(#"{"b":1,"a":[1,"x",{"c":null}],"b":2}"#)
        #expect(
            v
                == .object([
                    JSONMember("b", .int(1)),
                    JSONMember("a", .array([.int(1), .string("x"), .object([JSONMember("c", .null)])])),
                    JSONMember("b", .int(2)),
                ]))
        #expect(v?["b"] == .int(1))
        #expect(ok("[]") == .array([]))
        #expect(ok("{ }") == .object([]))
    }

    @Test func escapes() {
        #expect(ok(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{08}\u{0C}\n\r\t"))
        #expect(ok(#""\u00e9\u2713""#) == .string("é✓"))
        #expect(ok(#""\uD83D\uDE00""#) == .string("😀"))
        #expect(ok(#""\ud83d\ude00x""#) == .string("😀x"))
        #expect(ok("\"caf\u{e9} ✓\"") == .string("café ✓"))
        #expect(ok(#""\u0000""#) == .string("\u{0}"))
    }

    @Test func loneSurrogatesAreInvalidUTF8() {
        #expect(err(Array(#""\uD83D""#.utf8)) == .invalidUTF8)
        #expect(err(Array(#""\uDE00""#.utf8)) == .invalidUTF8)
        #expect(err(Array(#""\uD83Dx""#.utf8)) == .invalidUTF8)
        #expect(err(Array(#""\uD83D\u0041""#.utf8)) == .invalidUTF8)
    }

    @Test func invalidUTF8() {
        #expect(err([0x22, 0xC3, 0x28, 0x22]) == .invalidUTF8)
        #expect(err([0x22, 0xC0, 0xAF, 0x22]) == .invalidUTF8)  // overlong '/'
        #expect(err([0x22, 0xED, 0xA0, 0x80, 0x22]) == .invalidUTF8)  // encoded surrogate
        #expect(err([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22]) == .invalidUTF8)  // > U+10FFFF
        #expect(err([0x22, 0xE2, 0x9C]) == .invalidUTF8)  // truncated
        #expect(err([0xFF]) == .invalidUTF8)
    }

    @Test func syntaxErrors() {
        let bad = [
            "", " ", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "-", "1e", "+1", "NaN", "[1 2]", "{\"a\" 1}", "{a:1}",
            "\"abc", "\"a\tb\"", "\"\\x\"", "\"\\u12G4\"", "tru", "nul", "[", "{", "1 2", "//", "'a'", "[1]]",
        ]
        for text in bad {
            guard case .syntax = err(Array(text.utf8)) else {
                Issue.record("accepted or wrong error for \(text)")
                continue
            }
        }
        #expect(err(Array("[1,]".utf8)) == .syntax(offset: 3))
        #expect(err(Array("1 x".utf8)) == .syntax(offset: 2))
    }

    @Test func depthLimit() {
        let deep = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        #expect(err(deep) == .tooDeep)
        let sixtyFour = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(ok(sixtyFour) != nil)
        #expect(err(Array(sixtyFour.utf8), maxDepth: 63) == .tooDeep)
        let objects = String(repeating: "{\"a\":", count: 65) + "1" + String(repeating: "}", count: 65)
        #expect(err(Array(objects.utf8)) == .tooDeep)
    }

    @Test func sliceOverload() {
        let bytes = Array("xx[1,2]yy".utf8)
        #expect(JSONParser.parse(bytes[2..<7]) == .success(.array([.int(1), .int(2)])))
    }
}
