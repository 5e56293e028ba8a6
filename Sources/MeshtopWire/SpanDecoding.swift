import MeshtopModel

/// The span decoders return `Result<[Span], RejectReason>`, which needs `Error`. This conformance belongs in
/// MeshtopModel next to the type; it lives here until it moves there (then delete this line).
extension RejectReason: Error {}

/// Shared span-building rules for the Jaeger, Zipkin and OTLP decoders, so that the same span arriving in any
/// of the three formats decodes to the same `Span`.
enum SpanDecoding {
    /// The fields that Jaeger and Zipkin carry as tags (OpenTelemetry exporter conventions).
    struct TagFields {
        var kind: SpanKind?
        var otelStatusCode: String?
        var statusDescription: String?
        var peerService: String?
        var errorTag: AttributeValue?
    }

    /// Builds a span whose kind, status, peer service and error flag come from its tags unless the format
    /// carried them itself (`kind`, `status`, `peerService` non-nil), then applies `ErrorRule` (SPEC §8).
    static func makeSpan(
        traceID: TraceID, spanID: SpanID, parentID: SpanID?, service: String, name: String, kind: SpanKind?,
        startMicros: Int64, durationMicros: Int64, attributes: [Attribute], events: [SpanEvent],
        status: (StatusCode, String?)? = nil, peerService: String? = nil
    ) -> Span {
        let tags = tagFields(attributes)
        let k = kind ?? tags.kind ?? .unspecified
        let (code, message) = status ?? Self.status(from: tags)
        return Span(
            traceID: traceID, spanID: spanID, parentID: parentID, service: service, name: name, kind: k,
            startMicros: startMicros, durationMicros: durationMicros,
            isError: ErrorRule.isError(attributes: attributes, status: code, kind: k),
            status: code, statusMessage: message, peerService: peerService ?? tags.peerService,
            attributes: attributes, events: events)
    }

    /// One pass over the attributes; the first occurrence of a key wins.
    static func tagFields(_ attributes: [Attribute]) -> TagFields {
        var f = TagFields()
        for a in attributes {
            switch a.key {
            case "span.kind":
                if f.kind == nil, case .string(let s) = a.value { f.kind = SpanKind(name: s) }
            case "otel.status_code":
                if f.otelStatusCode == nil, case .string(let s) = a.value { f.otelStatusCode = s }
            case "otel.status_description":
                if f.statusDescription == nil, case .string(let s) = a.value { f.statusDescription = s }
            case "peer.service":
                if f.peerService == nil, case .string(let s) = a.value, !s.isEmpty { f.peerService = s }
            case "error":
                if f.errorTag == nil { f.errorTag = a.value }
            default:
                break
            }
        }
        return f
    }

    /// Status from tags: `otel.status_code` (`OK`/`ERROR`) first; else an `error` tag that means error gives
    /// `.error`. The message is `otel.status_description`, else a Zipkin `error` tag's text (OpenTelemetry's
    /// Zipkin exporter puts the description there).
    static func status(from f: TagFields) -> (StatusCode, String?) {
        var code = StatusCode.unset
        switch f.otelStatusCode?.uppercased() {
        case "ERROR"?: code = .error
        case "OK"?: code = .ok
        default:
            if let tag = f.errorTag,
                ErrorRule.isError(errorTag: tag, otelStatusCode: nil, status: .unset, httpStatus: nil, kind: .internal)
            {
                code = .error
            }
        }
        guard code == .error else { return (code, nil) }
        if let d = f.statusDescription, !d.isEmpty { return (code, d) }
        if case .string(let s)? = f.errorTag, !s.isEmpty, s != "true" { return (code, s) }
        return (code, nil)
    }

    /// Appends `extra` attributes whose key is not already present (resource or process tags after span tags).
    static func appendMissing(_ extra: [Attribute], to attributes: inout [Attribute]) {
        if extra.isEmpty { return }
        let own = attributes.count
        for e in extra where !attributes[0..<own].contains(where: { $0.key == e.key }) {
            attributes.append(e)
        }
    }

    /// A typed attribute value from a JSON value (Zipkin annotation payloads). `null` gives nil.
    static func attributeValue(_ json: JSONValue) -> AttributeValue? {
        switch json {
        case .null: return nil
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .array(let a): return .array(a.compactMap(attributeValue))
        case .object(let m): return .map(attributes(m))
        }
    }

    static func attributes(_ members: [JSONMember]) -> [Attribute] {
        var out: [Attribute] = []
        out.reserveCapacity(members.count)
        for m in members {
            if let v = attributeValue(m.value) { out.append(Attribute(m.key, v)) }
        }
        return out
    }

    /// Rounds nanoseconds to microseconds the way the OpenTelemetry exporters do: `(ns + 500) / 1000`.
    /// Negative values (invalid for OTLP's unsigned times) give 0.
    @inline(__always)
    static func micros(nanos: Int64) -> Int64 {
        nanos > 0 ? (nanos / 1000) + ((nanos % 1000) >= 500 ? 1 : 0) : 0
    }
}
