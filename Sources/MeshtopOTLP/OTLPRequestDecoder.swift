import MeshtopModel
import MeshtopOTLPProto
import SwiftProtobuf

/// Decodes OTLP export requests (OTLP/HTTP bodies, or gRPC messages already decoded) into model records.
///
/// Protobuf bodies go straight to the generated messages. JSON bodies follow the OTLP JSON mapping: field names
/// in lowerCamelCase or as in the .proto, enums as numbers or names, 64-bit integers as strings or numbers,
/// unknown fields ignored, and trace/span ids as hex (rewritten to base64 by `OTLPJSONIDs` first, since
/// SwiftProtobuf reads `bytes` as base64). Both encodings then share one mapping per signal: `OTLPTraces`,
/// `OTLPLogs`, `OTLPMetrics` (see them for field-by-field decisions). SwiftProtobuf's default nesting limit
/// (100) bounds recursion on hostile bodies.
public enum OTLPRequestDecoder {
    /// Decodes one request body (already gzip-decoded).
    ///
    /// Throws `OTLPDecodeError` when the body is not the signal's request message at all; the server answers 400
    /// with a `google.rpc.Status` (`OTLPResponse.status`). Items that decode but cannot be used are counted in the
    /// result's `rejected` (OTLP partial success). `receivedAtMicros` is the time of a log record that carries
    /// none; `cumulative` holds the series state that turns cumulative metric points into deltas.
    public static func decode(
        _ signal: OTLPSignal, body: [UInt8], encoding: OTLPEncoding, receivedAtMicros: Int64,
        cumulative: inout CumulativeToDelta
    ) throws -> OTLPDecoded {
        switch signal {
        case .traces:
            let r: Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest = try message(body, encoding)
            return records(from: r)
        case .logs:
            let r: Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceRequest = try message(body, encoding)
            return records(from: r, receivedAtMicros: receivedAtMicros)
        case .metrics:
            let r: Opentelemetry_Proto_Collector_Metrics_V1_ExportMetricsServiceRequest = try message(body, encoding)
            return records(from: r, cumulative: &cumulative)
        }
    }

    /// Spans of a decoded `ExportTraceServiceRequest` (OTLP/gRPC).
    public static func records(from request: Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest)
        -> OTLPDecoded
    {
        OTLPTraces.decode(request)
    }

    /// Log records of a decoded `ExportLogsServiceRequest` (OTLP/gRPC).
    public static func records(
        from request: Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceRequest, receivedAtMicros: Int64
    ) -> OTLPDecoded {
        OTLPLogs.decode(request, receivedAtMicros: receivedAtMicros)
    }

    /// Metric samples of a decoded `ExportMetricsServiceRequest` (OTLP/gRPC).
    public static func records(
        from request: Opentelemetry_Proto_Collector_Metrics_V1_ExportMetricsServiceRequest,
        cumulative: inout CumulativeToDelta
    ) -> OTLPDecoded {
        OTLPMetrics.decode(request, cumulative: &cumulative)
    }

    static func message<M: SwiftProtobuf.Message>(_ body: [UInt8], _ encoding: OTLPEncoding) throws -> M {
        switch encoding {
        case .protobuf:
            do {
                return try M(serializedBytes: body)
            } catch {
                throw OTLPDecodeError.protobuf(message: M.protoMessageName, reason: "\(error)")
            }
        case .json:
            var options = JSONDecodingOptions()
            options.ignoreUnknownFields = true
            do {
                return try M(jsonUTF8Bytes: OTLPJSONIDs.hexToBase64(body), options: options)
            } catch {
                throw OTLPDecodeError.json(message: M.protoMessageName, reason: "\(error)")
            }
        }
    }
}
