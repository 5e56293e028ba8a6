import MeshtopOTLPProto
import SwiftProtobuf

/// OTLP/HTTP response bodies (OTLP specification, "OTLP/HTTP Response"), in the request's encoding.
public enum OTLPResponse {
    /// The 200 body: an empty `Export…ServiceResponse` when everything was accepted, else one whose
    /// `partial_success` carries the rejected count and the message.
    public static func success(_ signal: OTLPSignal, rejected: Int, message: String?, encoding: OTLPEncoding)
        -> [UInt8]
    {
        switch signal {
        case .traces: return encode(traces(rejected: rejected, message: message), encoding)
        case .logs: return encode(logs(rejected: rejected, message: message), encoding)
        case .metrics: return encode(metrics(rejected: rejected, message: message), encoding)
        }
    }

    /// A `google.rpc.Status` body (400 for an undecodable request, and the other error answers).
    public static func status(code: Int32, message: String, encoding: OTLPEncoding) -> [UInt8] {
        var s = Google_Rpc_Status()
        s.code = code
        s.message = message
        return encode(s, encoding)
    }

    /// The trace service's answer (also for OTLP/gRPC).
    public static func traces(rejected: Int, message: String?)
        -> Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse
    {
        var r = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse()
        if rejected > 0 || message != nil {
            r.partialSuccess.rejectedSpans = Int64(rejected)
            r.partialSuccess.errorMessage = message ?? ""
        }
        return r
    }

    /// The logs service's answer (also for OTLP/gRPC).
    public static func logs(rejected: Int, message: String?)
        -> Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceResponse
    {
        var r = Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceResponse()
        if rejected > 0 || message != nil {
            r.partialSuccess.rejectedLogRecords = Int64(rejected)
            r.partialSuccess.errorMessage = message ?? ""
        }
        return r
    }

    /// The metrics service's answer (also for OTLP/gRPC).
    public static func metrics(rejected: Int, message: String?)
        -> Opentelemetry_Proto_Collector_Metrics_V1_ExportMetricsServiceResponse
    {
        var r = Opentelemetry_Proto_Collector_Metrics_V1_ExportMetricsServiceResponse()
        if rejected > 0 || message != nil {
            r.partialSuccess.rejectedDataPoints = Int64(rejected)
            r.partialSuccess.errorMessage = message ?? ""
        }
        return r
    }

    /// These messages have no required fields or `Any`, so encoding cannot fail.
    private static func encode(_ m: some SwiftProtobuf.Message, _ encoding: OTLPEncoding) -> [UInt8] {
        switch encoding {
        case .protobuf: return (try? m.serializedBytes()) ?? []
        case .json: return (try? m.jsonUTF8Bytes()) ?? Array("{}".utf8)
        }
    }
}
