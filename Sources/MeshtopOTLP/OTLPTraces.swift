import MeshtopModel
import MeshtopOTLPProto
import MeshtopWire

/// `ExportTraceServiceRequest` → spans, mapped exactly as MeshtopWire's OTLP/JSON `OTLPDecoder`: service from the
/// resource's `service.name`; span attributes first, then `otel.scope.name`/`otel.scope.version` and the resource
/// attributes the span does not have; kind, status and message as sent; events with their attributes; the error
/// flag, peer service and status fallbacks by `SpanDecoding.makeSpan`; links with their trace id, span id and
/// attributes (a link whose ids are not 16 and 8 non-zero bytes is left out, the span kept). Rejected, each on
/// its own (the rest of the request is kept): a trace id that is not 16 non-zero bytes,
/// a span id that is not 8 non-zero bytes, a parent span id that is neither empty nor 8 bytes (all-zero means
/// root), a span without a start time.
enum OTLPTraces {
    static func decode(_ request: Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest) -> OTLPDecoded {
        var out = OTLPDecoded()
        for rs in request.resourceSpans {
            let resource = OTLPValues.attributes(rs.resource.attributes)
            let service = OTLPValues.service(resource)
            for ss in rs.scopeSpans {
                let inherited = OTLPValues.inherited(ss.scope, resource: resource)
                out.records.reserveCapacity(out.records.count + ss.spans.count)
                for s in ss.spans {
                    switch span(s, service: service, inherited: inherited) {
                    case .success(let span): out.records.append(.span(span))
                    case .failure(let reason): out.reject(reason)
                    }
                }
            }
        }
        out.finish(noun: "spans")
        return out
    }

    static func span(_ s: Opentelemetry_Proto_Trace_V1_Span, service: String, inherited: [Attribute])
        -> Result<Span, RejectReason>
    {
        guard let traceID = OTLPValues.traceID(s.traceID) else { return .failure(.invalidTraceID) }
        guard let spanID = OTLPValues.spanID(s.spanID), !spanID.isZero else { return .failure(.invalidSpanID) }
        var parentID: SpanID?
        if !s.parentSpanID.isEmpty {
            guard let p = OTLPValues.spanID(s.parentSpanID) else { return .failure(.invalidSpanID) }
            parentID = p.isZero ? nil : p
        }
        guard s.startTimeUnixNano > 0 else { return .failure(.otlp) }
        var status = StatusCode.unset
        switch s.status.code {
        case .ok: status = .ok
        case .error: status = .error
        default: break
        }
        let message = s.status.message.isEmpty ? nil : s.status.message
        var attributes = OTLPValues.attributes(s.attributes)
        SpanDecoding.appendMissing(inherited, to: &attributes)
        let events = s.events.map { e in
            SpanEvent(
                timeMicros: OTLPValues.micros(e.timeUnixNano), name: e.name,
                attributes: OTLPValues.attributes(e.attributes))
        }
        let start = OTLPValues.micros(s.startTimeUnixNano)
        let duration = OTLPValues.micros(
            s.endTimeUnixNano > s.startTimeUnixNano ? s.endTimeUnixNano - s.startTimeUnixNano : 0)
        var span = SpanDecoding.makeSpan(
            traceID: traceID, spanID: spanID, parentID: parentID, service: service, name: s.name,
            kind: SpanKind(rawValue: s.kind.rawValue) ?? .unspecified, startMicros: start,
            durationMicros: duration, attributes: attributes, events: events,
            status: (status, message))
        if !s.links.isEmpty { span.links = s.links.compactMap(link) }
        return .success(span)
    }

    /// A link, or nil when its trace or span id is missing, all zero or of the wrong length.
    static func link(_ l: Opentelemetry_Proto_Trace_V1_Span.Link) -> SpanLink? {
        guard let traceID = OTLPValues.traceID(l.traceID), let spanID = OTLPValues.spanID(l.spanID), !spanID.isZero
        else { return nil }
        return SpanLink(traceID: traceID, spanID: spanID, attributes: OTLPValues.attributes(l.attributes))
    }
}
