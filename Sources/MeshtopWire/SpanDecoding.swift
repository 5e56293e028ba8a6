import MeshtopModel

/// Shared span-building rules for the Jaeger, Zipkin and OTLP decoders, so that the same span arriving in any
/// of the three formats decodes to the same `Span`. Public for the OTLP protobuf and Zipkin proto3 decoders
/// (MeshtopOTLP), which build spans the same way.
public enum SpanDecoding {
    /// The fields that Jaeger and Zipkin carry as tags (OpenTelemetry exporter conventions).
    struct TagFields {
        var kind: SpanKind?
        var otelStatusCode: String?
        var statusDescription: String?
        var peerService: String?
        var errorTag: AttributeValue?
        var httpStatus: Int64?
        var httpResponseStatus: Int64?
    }

    /// Builds a span whose kind, status, peer service and error flag come from its tags unless the format
    /// carried them itself (`kind`, `status`, `peerService` non-nil), then applies `ErrorRule` (SPEC §8).
    public static func makeSpan(
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
            isError: ErrorRule.isError(
                errorTag: tags.errorTag, otelStatusCode: tags.otelStatusCode, status: code,
                httpStatus: tags.httpStatus ?? tags.httpResponseStatus, kind: k),
            status: code, statusMessage: message, peerService: peerService ?? tags.peerService,
            attributes: attributes, events: events)
    }

    /// One pass over the attributes; the first occurrence of a key wins. Keys are told apart by their UTF-8
    /// length before any string comparison, which keeps this cheap for spans with many tags.
    static func tagFields(_ attributes: [Attribute]) -> TagFields {
        var f = TagFields()
        for a in attributes {
            switch a.key.utf8.count {
            case 5:
                if f.errorTag == nil, a.key == "error" { f.errorTag = a.value }
            case 9:
                if f.kind == nil, a.key == "span.kind", case .string(let s) = a.value { f.kind = SpanKind(name: s) }
            case 12:
                if f.peerService == nil, a.key == "peer.service", case .string(let s) = a.value, !s.isEmpty {
                    f.peerService = s
                }
            case 16:
                if f.otelStatusCode == nil, a.key == "otel.status_code", case .string(let s) = a.value {
                    f.otelStatusCode = s
                } else if f.httpStatus == nil, a.key == "http.status_code" {
                    f.httpStatus = httpStatus(a.value)
                }
            case 23:
                if f.statusDescription == nil, a.key == "otel.status_description", case .string(let s) = a.value {
                    f.statusDescription = s
                }
            case 25:
                if f.httpResponseStatus == nil, a.key == "http.response.status_code" {
                    f.httpResponseStatus = httpStatus(a.value)
                }
            default:
                break
            }
        }
        return f
    }

    private static func httpStatus(_ v: AttributeValue) -> Int64? {
        switch v {
        case .int(let i): return i
        case .string(let s): return Int64(s)
        case .double(let d): return d.isFinite && abs(d) < 1e18 ? Int64(d) : nil
        default: return nil
        }
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
    public static func appendMissing(_ extra: [Attribute], to attributes: inout [Attribute]) {
        if extra.isEmpty { return }
        let own = attributes.count
        for e in extra {
            let n = e.key.utf8.count
            if !attributes[0..<own].contains(where: { $0.key.utf8.count == n && $0.key == e.key }) {
                attributes.append(e)
            }
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
    public static func micros(nanos: Int64) -> Int64 {
        nanos > 0 ? (nanos / 1000) + ((nanos % 1000) >= 500 ? 1 : 0) : 0
    }
}
