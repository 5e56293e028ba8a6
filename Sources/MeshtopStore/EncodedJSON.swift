import MeshtopModel

/// JSON column texts encoded ahead of a write, one per record, in one contiguous buffer. The collector encodes
/// span and log attributes on its decoding thread, so the single writer thread copies bytes instead of encoding
/// them while it holds the write transaction. The text is exactly what the store would write itself
/// (`JSONText.encode`, byte for byte).
public struct EncodedJSON: Sendable {
    private var bytes: [UInt8] = []
    /// End offset of every text in `bytes`.
    private var ends: [Int] = []

    public init() {}

    /// Number of texts.
    public var count: Int { ends.count }

    /// Appends the JSON object of a span's or log's attributes.
    public mutating func append(_ attributes: [Attribute]) {
        JSONText.append(attributes, to: &bytes)
        ends.append(bytes.count)
    }

    /// Appends the JSON array of a span's events.
    public mutating func append(_ events: [SpanEvent]) {
        JSONText.append(events, to: &bytes)
        ends.append(bytes.count)
    }

    /// Appends every text of `other`, in order.
    public mutating func append(contentsOf other: EncodedJSON) {
        guard !other.ends.isEmpty else { return }
        let base = bytes.count
        bytes.append(contentsOf: other.bytes)
        ends.reserveCapacity(ends.count + other.ends.count)
        for end in other.ends { ends.append(base + end) }
    }

    /// The `index`th text as UTF-8 bytes, valid only inside `body` (the stores copy it into their column).
    public func withText<R>(at index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let start = index == 0 ? 0 : ends[index - 1]
        let end = ends[index]
        return bytes.withUnsafeBufferPointer { all in
            body(UnsafeBufferPointer(rebasing: all[start..<end]))
        }
    }

    /// The `index`th text as a `String` (for tests and diagnostics).
    public func text(at index: Int) -> String {
        withText(at: index) { String(decoding: $0, as: UTF8.self) }
    }
}
