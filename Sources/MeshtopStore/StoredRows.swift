import MeshtopModel

/// A span as stored. `span` carries every column except attributes and events, which stay as their stored
/// JSON text (`JSONText.encode`) so reading never needs a JSON parser; `span.attributes`/`events` are empty.
public struct StoredSpan: Hashable, Sendable {
    public var span: Span
    /// JSON object text.
    public var attributesJSON: String
    /// JSON array text.
    public var eventsJSON: String
}

/// A log record as stored, with its row id (the `logs_fts` rowid). `log.attributes` is empty; the stored
/// JSON object text is `attributesJSON`.
public struct StoredLog: Hashable, Sendable {
    public var id: Int64
    public var log: LogRecord
    /// JSON object text.
    public var attributesJSON: String
}
