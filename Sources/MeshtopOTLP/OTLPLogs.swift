import MeshtopModel
import MeshtopOTLPProto
import MeshtopWire

/// `ExportLogsServiceRequest` → log records.
///
/// - Time: `time_unix_nano`, else `observed_time_unix_nano`, else when the request arrived.
/// - Severity: `severity_number` 1–24 by its ranges of four (TRACE and DEBUG → debug, INFO → info, WARN →
///   warning, ERROR → error, FATAL → emergency, as `Severity(name: "fatal")`); unspecified: `severity_text` read
///   by `Severity(name:)`; else info.
/// - Message: a string body as is; any other body as its text (maps and arrays as JSON, bytes as base64).
/// - Service from the resource's `service.name`, host from its `host.name`; trace and span ids kept (empty or
///   all-zero ids mean none). Attributes: the record's, then `event_name` (as `event.name`), the scope's name and
///   version and the resource attributes the record does not have — as for spans.
/// - Rejected on their own: a trace id that is neither empty nor 16 bytes, a span id neither empty nor 8 bytes.
enum OTLPLogs {
    static func decode(
        _ request: Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceRequest, receivedAtMicros: Int64
    )
        -> OTLPDecoded
    {
        var out = OTLPDecoded()
        for rl in request.resourceLogs {
            let resource = OTLPValues.attributes(rl.resource.attributes)
            let service = OTLPValues.service(resource)
            var host = ""
            if case .string(let h)? = resource[key: "host.name"] { host = h }
            for sl in rl.scopeLogs {
                let inherited = OTLPValues.inherited(sl.scope, resource: resource)
                for r in sl.logRecords {
                    switch log(
                        r, service: service, host: host, inherited: inherited, receivedAtMicros: receivedAtMicros)
                    {
                    case .success(let l): out.records.append(.log(l))
                    case .failure(let reason): out.reject(reason)
                    }
                }
            }
        }
        out.finish(noun: "log records")
        return out
    }

    static func log(
        _ r: Opentelemetry_Proto_Logs_V1_LogRecord, service: String, host: String, inherited: [Attribute],
        receivedAtMicros: Int64
    ) -> Result<LogRecord, RejectReason> {
        var traceID: TraceID?
        if !r.traceID.isEmpty {
            guard r.traceID.count == 16 else { return .failure(.invalidTraceID) }
            traceID = OTLPValues.traceID(r.traceID)
        }
        var spanID: SpanID?
        if !r.spanID.isEmpty {
            guard let s = OTLPValues.spanID(r.spanID) else { return .failure(.invalidSpanID) }
            spanID = s.isZero ? nil : s
        }
        let nanos = r.timeUnixNano > 0 ? r.timeUnixNano : r.observedTimeUnixNano
        var attributes = OTLPValues.attributes(r.attributes)
        if !r.eventName.isEmpty { attributes.append(Attribute("event.name", .string(r.eventName))) }
        SpanDecoding.appendMissing(inherited, to: &attributes)
        return .success(
            LogRecord(
                timeMicros: nanos > 0 ? OTLPValues.micros(nanos) : receivedAtMicros, service: service, host: host,
                severity: severity(number: r.severityNumber.rawValue, text: r.severityText),
                message: r.hasBody ? OTLPValues.value(r.body).text : "", traceID: traceID, spanID: spanID,
                attributes: attributes))
    }

    /// OTLP `SeverityNumber` ranges (logs data model, "Field: SeverityNumber") onto syslog levels.
    static func severity(number: Int, text: String) -> Severity {
        switch number {
        case 1...8: return .debug
        case 9...12: return .info
        case 13...16: return .warning
        case 17...20: return .error
        case 21...24: return .emergency
        default: return Severity(name: text) ?? .info
        }
    }
}
