/// Why a line was rejected. Raw values are the keys shown by `meshtop query stats`.
public enum RejectReason: String, Sendable, Hashable, CaseIterable, Codable, Error {
    case empty = "empty"
    case unknownFormat = "unknown_format"
    case invalidUTF8 = "invalid_utf8"
    case tooLong = "too_long"
    case tooDeep = "too_deep"
    case statsd = "malformed_statsd"
    case dogstatsdEvent = "malformed_dogstatsd_event"
    case syslog = "malformed_syslog"
    case json = "malformed_json"
    case jsonLog = "malformed_json_log"
    case logfmt = "malformed_logfmt"
    case zipkin = "malformed_zipkin"
    case thrift = "malformed_thrift"
    case otlp = "malformed_otlp"
    /// An OTLP or Zipkin proto3 item whose trace id is not 16 (Zipkin: 8 or 16) bytes, or all zero.
    case invalidTraceID = "invalid_trace_id"
    /// An OTLP or Zipkin proto3 item whose span id (or parent span id) is not 8 bytes, or (span id) all zero.
    case invalidSpanID = "invalid_span_id"
    /// An OTLP metric data point that cannot be used: no data, a non-finite value, an unspecified temporality,
    /// bucket counts that do not match the bounds, or more buckets than meshtop accepts.
    case invalidMetricPoint = "invalid_metric_point"
}

/// What one line (or one binary datagram) decodes to.
public enum Decoded: Sendable, Hashable {
    case span(Span)
    case log(LogRecord)
    case metric(MetricSample)
    /// The line's bytes are kept (capped) so `query stats --rejects` can show them escaped.
    case rejected(RejectReason, sample: [UInt8])
}
