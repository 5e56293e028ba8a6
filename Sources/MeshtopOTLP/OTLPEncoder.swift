import Foundation
import MeshtopModel
import MeshtopOTLPProto
import SwiftProtobuf

/// Model spans and log records → OTLP export requests (protobuf messages), as an OpenTelemetry SDK's exporter
/// builds them: one `ResourceSpans`/`ResourceLogs` per service (resource attribute `service.name`; for logs also
/// `host.name` when the record has a host), in the order services first appear, one scope each. The inverse of
/// `OTLPRequestDecoder` (the round trip gives the same records, plus the resource attributes the decoder appends):
/// used by `meshtop demo` to send part of its simulated shop over OTLP/HTTP and OTLP/gRPC.
///
/// Times go from microseconds to nanoseconds; a span's `peerService` that its attributes do not name becomes a
/// `peer.service` attribute (OTLP has no remote-endpoint field, and the decoder reads that attribute); model
/// severities map to the first number of their OTLP range (debug 5, info/notice 9, warn 13, error 17, critical
/// and worse 21) with the model's name as `severity_text`.
public enum OTLPRequestEncoder {
    public typealias TraceRequest = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest
    public typealias LogsRequest = Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceRequest

    /// An `ExportTraceServiceRequest` holding `spans`, grouped by service.
    public static func traces(_ spans: [Span]) -> TraceRequest {
        var request = TraceRequest()
        request.resourceSpans = grouped(spans, by: { $0.service }).map { service, group in
            var rs = Opentelemetry_Proto_Trace_V1_ResourceSpans()
            rs.resource.attributes = [keyValue(Attribute("service.name", .string(service)))]
            var scope = Opentelemetry_Proto_Trace_V1_ScopeSpans()
            scope.spans = group.map(span)
            rs.scopeSpans = [scope]
            return rs
        }
        return request
    }

    /// An `ExportLogsServiceRequest` holding `logs`, grouped by service and host.
    public static func logs(_ logs: [LogRecord]) -> LogsRequest {
        var request = LogsRequest()
        request.resourceLogs = grouped(logs, by: { ResourceKey(service: $0.service, host: $0.host) }).map {
            key, group in
            var rl = Opentelemetry_Proto_Logs_V1_ResourceLogs()
            var resource = [keyValue(Attribute("service.name", .string(key.service)))]
            if !key.host.isEmpty { resource.append(keyValue(Attribute("host.name", .string(key.host)))) }
            rl.resource.attributes = resource
            var scope = Opentelemetry_Proto_Logs_V1_ScopeLogs()
            scope.logRecords = group.map(log)
            rl.scopeLogs = [scope]
            return rl
        }
        return request
    }

    /// The request as an OTLP/HTTP `application/x-protobuf` body.
    public static func body(_ request: some SwiftProtobuf.Message) -> [UInt8] {
        // Serializing a message built from model values cannot fail (no required fields, no Any).
        (try? request.serializedBytes() as [UInt8]) ?? []
    }

    struct ResourceKey: Hashable {
        var service: String
        var host: String
    }

    /// Items grouped by key, groups in the order their key first appears.
    static func grouped<T, K: Hashable>(_ items: [T], by key: (T) -> K) -> [(K, [T])] {
        var order: [K] = []
        var groups: [K: [T]] = [:]
        for item in items {
            let k = key(item)
            if groups[k] == nil { order.append(k) }
            groups[k, default: []].append(item)
        }
        return order.map { ($0, groups[$0] ?? []) }
    }

    static func span(_ s: Span) -> Opentelemetry_Proto_Trace_V1_Span {
        var out = Opentelemetry_Proto_Trace_V1_Span()
        out.traceID = bytes(s.traceID.high, s.traceID.low)
        out.spanID = bytes(s.spanID.raw)
        if let p = s.parentID { out.parentSpanID = bytes(p.raw) }
        out.name = s.name
        out.kind = Opentelemetry_Proto_Trace_V1_Span.SpanKind(rawValue: s.kind.rawValue) ?? .unspecified
        out.startTimeUnixNano = nanos(s.startMicros)
        out.endTimeUnixNano = nanos(s.startMicros &+ max(s.durationMicros, 0))
        var attributes = s.attributes
        if let peer = s.peerService, attributes[key: "peer.service"] == nil {
            attributes.append(Attribute("peer.service", .string(peer)))
        }
        out.attributes = attributes.map(keyValue)
        out.events = s.events.map { e in
            var event = Opentelemetry_Proto_Trace_V1_Span.Event()
            event.timeUnixNano = nanos(e.timeMicros)
            event.name = e.name
            event.attributes = e.attributes.map(keyValue)
            return event
        }
        var status = Opentelemetry_Proto_Trace_V1_Status()
        status.code = Opentelemetry_Proto_Trace_V1_Status.StatusCode(rawValue: s.status.rawValue) ?? .unset
        status.message = s.statusMessage ?? ""
        out.status = status
        return out
    }

    static func log(_ r: LogRecord) -> Opentelemetry_Proto_Logs_V1_LogRecord {
        var out = Opentelemetry_Proto_Logs_V1_LogRecord()
        out.timeUnixNano = nanos(r.timeMicros)
        out.observedTimeUnixNano = out.timeUnixNano
        out.severityNumber = severity(r.severity)
        out.severityText = r.severity.name.uppercased()
        out.body = anyValue(.string(r.message))
        out.attributes = r.attributes.map(keyValue)
        if let t = r.traceID { out.traceID = bytes(t.high, t.low) }
        if let s = r.spanID { out.spanID = bytes(s.raw) }
        return out
    }

    static func severity(_ s: Severity) -> Opentelemetry_Proto_Logs_V1_SeverityNumber {
        switch s {
        case .debug: return .debug
        case .info, .notice: return .info
        case .warning: return .warn
        case .error: return .error
        case .critical, .alert, .emergency: return .fatal
        }
    }

    static func keyValue(_ a: Attribute) -> Opentelemetry_Proto_Common_V1_KeyValue {
        var kv = Opentelemetry_Proto_Common_V1_KeyValue()
        kv.key = a.key
        kv.value = anyValue(a.value)
        return kv
    }

    static func anyValue(_ v: AttributeValue) -> Opentelemetry_Proto_Common_V1_AnyValue {
        var out = Opentelemetry_Proto_Common_V1_AnyValue()
        switch v {
        case .string(let s): out.stringValue = s
        case .int(let i): out.intValue = i
        case .double(let d): out.doubleValue = d
        case .bool(let b): out.boolValue = b
        case .array(let a):
            var list = Opentelemetry_Proto_Common_V1_ArrayValue()
            list.values = a.map(anyValue)
            out.arrayValue = list
        case .map(let m):
            var list = Opentelemetry_Proto_Common_V1_KeyValueList()
            list.values = m.map(keyValue)
            out.kvlistValue = list
        }
        return out
    }

    /// Microseconds since the epoch → OTLP's unsigned nanoseconds (times before 1970 clamp to 0).
    static func nanos(_ micros: Int64) -> UInt64 {
        UInt64(max(micros, 0)) &* 1_000
    }

    /// Big-endian bytes of the given words (a 16-byte trace id from two, an 8-byte span id from one).
    static func bytes(_ words: UInt64...) -> Data {
        var d = Data(capacity: words.count * 8)
        for w in words {
            for shift in stride(from: 56, through: 0, by: -8) {
                d.append(UInt8(truncatingIfNeeded: w >> UInt64(shift)))
            }
        }
        return d
    }
}
