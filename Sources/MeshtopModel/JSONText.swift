/// The one JSON text encoder (attributes and events columns, JSON output, agent lines). Strings are escaped per
/// RFC 8259 with C0, DEL and C1 controls as `\u00XX`, so escape sequences from ingested data stay inert in JSON.
/// The byte-level `append` functions are the implementation (they append to a reused buffer, which matters on
/// the insert path); the `String` functions wrap them.
public enum JSONText {
    public static func quote(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 2)
        appendQuoted(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Numbers: integers without a fraction, others with the shortest round-trip form; non-finite → null.
    public static func number(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return String(d)
    }

    public static func encode(_ v: AttributeValue) -> String { text { append(v, to: &$0) } }

    /// An attribute list as a JSON object (keys in order; a repeated key keeps its last value when parsed).
    public static func encode(_ attrs: [Attribute]) -> String { text { append(attrs, to: &$0) } }

    public static func encode(_ events: [SpanEvent]) -> String { text { append(events, to: &$0) } }

    private static func text(_ build: (inout [UInt8]) -> Void) -> String {
        var out: [UInt8] = []
        build(&out)
        return String(decoding: out, as: UTF8.self)
    }
}
