import MeshtopModel
import Testing

@testable import MeshtopStore

/// The insert path encodes attributes with `JSONBytes`; the column contract is `JSONText.encode`'s text.
@Suite struct JSONBytesTests {
    static let strings = [
        "", "plain", "quote \" and \\ backslash", "tab\tnew\nline\rret", "esc \u{1b}[31m red", "nul \u{0} byte",
        "del \u{7f}", "c1 \u{85}\u{9b}\u{9f} end", "latin \u{a0}\u{c2}\u{e9}", "emoji 🧵 and 中文", "\u{c2}",
    ]

    static func encoded(_ body: (inout [UInt8]) -> Void) -> String {
        var out: [UInt8] = []
        body(&out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test(arguments: strings) func stringsMatchJSONText(_ s: String) {
        #expect(Self.encoded { JSONBytes.append(s, to: &$0) } == JSONText.quote(s))
    }

    @Test func nestedAttributesAndEventsMatchJSONText() {
        let attrs: [Attribute] = [
            Attribute("s", .string("x\u{1b}\"")), Attribute("i", .int(-42)), Attribute("d", .double(1.5)),
            Attribute("whole", .double(3)), Attribute("nan", .double(.nan)), Attribute("b", .bool(false)),
            Attribute("arr", .array([.int(1), .string("two"), .array([])])),
            Attribute("map", .map([Attribute("k\n", .bool(true))])),
        ]
        #expect(Self.encoded { JSONBytes.append(attrs, to: &$0) } == JSONText.encode(attrs))
        #expect(Self.encoded { JSONBytes.append([Attribute](), to: &$0) } == JSONText.encode([Attribute]()))
        let events = [
            SpanEvent(timeMicros: 5, name: "retry \u{9b}", attributes: attrs),
            SpanEvent(timeMicros: -1, name: "", attributes: []),
        ]
        #expect(Self.encoded { JSONBytes.append(events, to: &$0) } == JSONText.encode(events))
        #expect(Self.encoded { JSONBytes.append([SpanEvent](), to: &$0) } == JSONText.encode([SpanEvent]()))
    }
}
