/// Whether a span is an error, in Jaeger's order of precedence (SPEC §8; jaegertracing/jaeger
/// `internal/storage/v2/cassandra/tracestore/from_dbmodel.go`):
/// the `error` tag → `otel.status_code` → OTLP status code 2 → HTTP status (≥ 500 always, 400–499 on CLIENT spans).
public enum ErrorRule {
    /// - Parameters:
    ///   - errorTag: the `error` tag's value if present. Zipkin: any string other than `"false"` (empty included)
    ///     means error. Jaeger: bool true.
    public static func isError(
        errorTag: AttributeValue?, otelStatusCode: String?, status: StatusCode, httpStatus: Int64?, kind: SpanKind
    ) -> Bool {
        if let tag = errorTag {
            switch tag {
            case .bool(let b): return b
            case .string(let s): return s != "false"
            case .int(let i): return i != 0
            default: return true
            }
        }
        if let code = otelStatusCode?.uppercased() {
            if code == "ERROR" { return true }
            if code == "OK" { return false }
        }
        if status == .error { return true }
        if let http = httpStatus {
            if http >= 500 { return true }
            if http >= 400 && http <= 499 && kind == .client { return true }
        }
        return false
    }

    /// Applies the rule to a span's own attributes and status.
    public static func isError(attributes: [Attribute], status: StatusCode, kind: SpanKind) -> Bool {
        var http: Int64?
        if let v = attributes[key: "http.status_code"] ?? attributes[key: "http.response.status_code"] {
            switch v {
            case .int(let i): http = i
            case .string(let s): http = Int64(s)
            case .double(let d): http = d.isFinite && abs(d) < 1e9 ? Int64(d) : nil
            default: http = nil
            }
        }
        var otel: String?
        if case .string(let s)? = attributes[key: "otel.status_code"] { otel = s }
        return isError(
            errorTag: attributes[key: "error"], otelStatusCode: otel, status: status, httpStatus: http, kind: kind)
    }
}
