/// One log record. Times are microseconds since the Unix epoch.
public struct LogRecord: Hashable, Sendable {
    public var timeMicros: Int64
    public var service: String
    public var host: String
    public var severity: Severity
    public var message: String
    public var traceID: TraceID?
    public var spanID: SpanID?
    public var attributes: [Attribute]

    public init(
        timeMicros: Int64, service: String, host: String = "", severity: Severity = .info, message: String,
        traceID: TraceID? = nil, spanID: SpanID? = nil, attributes: [Attribute] = []
    ) {
        self.timeMicros = timeMicros
        self.service = service
        self.host = host
        self.severity = severity
        self.message = message
        self.traceID = traceID
        self.spanID = spanID
        self.attributes = attributes
    }
}
