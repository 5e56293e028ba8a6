/// What the read side searches for: shared by the query use cases and the store that answers them.

/// A time window `[sinceMicros, untilMicros)` in event time.
public struct TimeWindow: Sendable, Hashable {
    public var sinceMicros: Int64
    public var untilMicros: Int64

    public init(sinceMicros: Int64, untilMicros: Int64) {
        self.sinceMicros = sinceMicros
        self.untilMicros = untilMicros
    }

    public var seconds: Double { Double(max(untilMicros - sinceMicros, 1)) / 1_000_000 }
}

/// `query traces` filters, like Jaeger's search.
public struct TraceSearch: Sendable, Hashable {
    public var window: TimeWindow
    public var service: String?
    public var operation: String?
    /// `k=v` pairs that must all match a span attribute of the trace.
    public var tags: [Attribute]
    public var minDurationMicros: Int64?
    public var maxDurationMicros: Int64?
    public var errorsOnly: Bool
    public var limit: Int

    public init(
        window: TimeWindow, service: String? = nil, operation: String? = nil, tags: [Attribute] = [],
        minDurationMicros: Int64? = nil, maxDurationMicros: Int64? = nil, errorsOnly: Bool = false, limit: Int = 20
    ) {
        self.window = window
        self.service = service
        self.operation = operation
        self.tags = tags
        self.minDurationMicros = minDurationMicros
        self.maxDurationMicros = maxDurationMicros
        self.errorsOnly = errorsOnly
        self.limit = limit
    }
}

/// `query logs` filters.
public struct LogSearch: Sendable, Hashable {
    public var window: TimeWindow
    public var service: String?
    /// Records at this severity or more severe (numerically ≤).
    public var minSeverity: Severity?
    /// Full-text search (FTS5) over messages.
    public var text: String?
    public var traceID: TraceID?
    public var limit: Int
    /// Only records with rowid greater than this (for `--follow` and live tail).
    public var afterID: Int64?

    public init(
        window: TimeWindow, service: String? = nil, minSeverity: Severity? = nil, text: String? = nil,
        traceID: TraceID? = nil, limit: Int = 100, afterID: Int64? = nil
    ) {
        self.window = window
        self.service = service
        self.minSeverity = minSeverity
        self.text = text
        self.traceID = traceID
        self.limit = limit
        self.afterID = afterID
    }
}

/// A stored log with its row id (for follow mode).
public struct LogRow: Sendable, Hashable {
    public var id: Int64
    public var record: LogRecord

    public init(id: Int64, record: LogRecord) {
        self.id = id
        self.record = record
    }
}

/// `query metrics` filters.
public struct MetricSearch: Sendable, Hashable {
    public var window: TimeWindow
    /// Glob on the name (`checkout.*`).
    public var nameGlob: String?
    /// `k:v` tags that must all be present.
    public var tags: [String]
    public var limit: Int

    public init(window: TimeWindow, nameGlob: String? = nil, tags: [String] = [], limit: Int = 1000) {
        self.window = window
        self.nameGlob = nameGlob
        self.tags = tags
        self.limit = limit
    }
}
