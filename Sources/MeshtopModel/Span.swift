/// OpenTelemetry span kinds. Raw values match OTLP's enum (0 unspecified … 5 consumer).
public enum SpanKind: Int, Sendable, Hashable, CaseIterable {
    case unspecified = 0
    case `internal` = 1
    case server = 2
    case client = 3
    case producer = 4
    case consumer = 5

    /// Upper-case name as Zipkin/OTel print it (`SERVER`), or `""` for unspecified.
    public var name: String {
        switch self {
        case .unspecified: return ""
        case .internal: return "INTERNAL"
        case .server: return "SERVER"
        case .client: return "CLIENT"
        case .producer: return "PRODUCER"
        case .consumer: return "CONSUMER"
        }
    }

    /// Accepts `server`, `SERVER`, `SPAN_KIND_SERVER`; unknown → nil.
    public init?(name: some StringProtocol) {
        var n = name.uppercased()
        if n.hasPrefix("SPAN_KIND_") { n.removeFirst(10) }
        switch n {
        case "INTERNAL", "LOCAL": self = .internal
        case "SERVER": self = .server
        case "CLIENT": self = .client
        case "PRODUCER": self = .producer
        case "CONSUMER": self = .consumer
        case "", "UNSPECIFIED": self = .unspecified
        default: return nil
        }
    }
}

/// Span status code, OTLP numbering: 0 unset, 1 ok, 2 error.
public enum StatusCode: Int, Sendable, Hashable {
    case unset = 0
    case ok = 1
    case error = 2
}

/// A timestamped event (Zipkin annotation, Jaeger log, OTLP event).
public struct SpanEvent: Hashable, Sendable {
    public var timeMicros: Int64
    public var name: String
    public var attributes: [Attribute]

    public init(timeMicros: Int64, name: String, attributes: [Attribute] = []) {
        self.timeMicros = timeMicros
        self.name = name
        self.attributes = attributes
    }
}

/// A link from a span to another span, of this trace or another (an OTLP link; a Jaeger `FOLLOWS_FROM` reference
/// or a reference into another trace): a batch job's span pointing at the requests it serves, a consumer's span
/// pointing at its producer.
public struct SpanLink: Hashable, Sendable {
    public var traceID: TraceID
    public var spanID: SpanID
    public var attributes: [Attribute]

    public init(traceID: TraceID, spanID: SpanID, attributes: [Attribute] = []) {
        self.traceID = traceID
        self.spanID = spanID
        self.attributes = attributes
    }
}

/// One span, whatever format it arrived in. Times are microseconds since the Unix epoch.
public struct Span: Hashable, Sendable {
    public var traceID: TraceID
    public var spanID: SpanID
    /// nil for a root span (a zero parent id on the wire means none).
    public var parentID: SpanID?
    public var service: String
    public var name: String
    public var kind: SpanKind
    public var startMicros: Int64
    public var durationMicros: Int64
    /// Decided by the decoder with `ErrorRule` (SPEC §8).
    public var isError: Bool
    public var status: StatusCode
    public var statusMessage: String?
    /// The remote service named by a CLIENT/PRODUCER span (`peer.service`, Zipkin `remoteEndpoint.serviceName`).
    public var peerService: String?
    public var attributes: [Attribute]
    public var events: [SpanEvent]
    /// Links to other spans (OTLP links, Jaeger references other than the parent), in the order sent.
    public var links: [SpanLink]

    public init(
        traceID: TraceID, spanID: SpanID, parentID: SpanID?, service: String, name: String,
        kind: SpanKind = .unspecified, startMicros: Int64, durationMicros: Int64, isError: Bool = false,
        status: StatusCode = .unset, statusMessage: String? = nil, peerService: String? = nil,
        attributes: [Attribute] = [], events: [SpanEvent] = [], links: [SpanLink] = []
    ) {
        self.traceID = traceID
        self.spanID = spanID
        self.parentID = parentID
        self.service = service
        self.name = name
        self.kind = kind
        self.startMicros = startMicros
        self.durationMicros = durationMicros
        self.isError = isError
        self.status = status
        self.statusMessage = statusMessage
        self.peerService = peerService
        self.attributes = attributes
        self.events = events
        self.links = links
    }

    public var endMicros: Int64 { startMicros + durationMicros }
}
