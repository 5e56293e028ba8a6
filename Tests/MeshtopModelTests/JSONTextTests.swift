import MeshtopModel
import Testing

/// `JSONText` is the one encoder behind the attributes/events columns, JSON output and agent lines.
@Suite struct JSONTextTests {
    @Test(arguments: [
        ("", #""""#),
        ("plain", #""plain""#),
        ("quote \" and \\ backslash", #""quote \" and \\ backslash""#),
        ("tab\tnew\nline\rret", #""tab\tnew\nline\rret""#),
        ("esc \u{1b}[31m red", #""esc \u001b[31m red""#),
        ("nul \u{0} byte", #""nul \u0000 byte""#),
        ("del \u{7f}", #""del \u007f""#),
        ("c1 \u{85}\u{9b}\u{9f} end", #""c1 \u0085\u009b\u009f end""#),
        ("latin \u{a0}\u{e9}", "\"latin \u{a0}\u{e9}\""),
        ("emoji 🧵 and 中文", "\"emoji 🧵 and 中文\""),
        ("\"first and last\"", #""\"first and last\"""#),
        ("\u{85}\u{a0}\u{1b}", "\"\\u0085\u{a0}\\u001b\""),
    ])
    func quotesWithEscapes(_ input: String, _ expected: String) {
        #expect(JSONText.quote(input) == expected)
        var bytes: [UInt8] = Array("x".utf8)
        JSONText.appendQuoted(input, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "x" + expected)
    }

    @Test func nestedAttributesAndEvents() {
        let attrs: [Attribute] = [
            Attribute("s", .string("x\u{1b}\"")), Attribute("i", .int(-42)), Attribute("d", .double(1.5)),
            Attribute("whole", .double(3)), Attribute("nan", .double(.nan)), Attribute("b", .bool(false)),
            Attribute("arr", .array([.int(1), .string("two"), .array([])])),
            Attribute("map", .map([Attribute("k\n", .bool(true))])),
        ]
        let json =
            #"{"s":"x\u001b\"","i":-42,"d":1.5,"whole":3,"nan":null,"b":false,"arr":[1,"two",[]],"map":{"k\n":true}}"#
        #expect(JSONText.encode(attrs) == json)
        #expect(JSONText.encode([Attribute]()) == "{}")
        let events = [SpanEvent(timeMicros: 5, name: "retry", attributes: [Attribute("n", .int(1))])]
        #expect(JSONText.encode(events) == #"[{"time":5,"name":"retry","attributes":{"n":1}}]"#)
        #expect(JSONText.encode([SpanEvent]()) == "[]")
    }
}

@Suite struct SanitizerTests {
    @Test func escapesControlsAndKeepsPrintableText() {
        #expect(Sanitizer.escape("clear \u{1b}[2J now") == "clear \\x1b[2J now")
        #expect(Sanitizer.escape("a\tb\nc") == "a\\tb\\nc")
        #expect(Sanitizer.escape("csi \u{9b}") == "csi \\x9b")
        #expect(Sanitizer.escape("注文 ✓") == "注文 ✓")
        #expect(Sanitizer.escape(bytes: [0x61, 0xff, 0x1b]) == "a\\xff\\x1b")
    }
}
