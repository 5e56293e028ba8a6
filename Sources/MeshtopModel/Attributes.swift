/// A typed attribute value, as carried by span tags, OTLP attributes and structured log fields.
public enum AttributeValue: Hashable, Sendable {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case array([AttributeValue])
    case map([Attribute])

    /// A plain-text rendering (strings unquoted).
    public var text: String {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return JSONText.number(d)
        case .bool(let b): return b ? "true" : "false"
        case .array, .map: return JSONText.encode(self)
        }
    }
}

/// One key/value pair. Attributes are kept as an ordered list, in the order the sender gave them.
public struct Attribute: Hashable, Sendable {
    public var key: String
    public var value: AttributeValue

    public init(_ key: String, _ value: AttributeValue) {
        self.key = key
        self.value = value
    }
}

extension Array where Element == Attribute {
    /// The first value for `key`, if any.
    public subscript(key key: String) -> AttributeValue? {
        first(where: { $0.key == key })?.value
    }
}
