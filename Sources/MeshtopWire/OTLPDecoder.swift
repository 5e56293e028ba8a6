import MeshtopModel

/// Decodes an OTLP/JSON `ExportTraceServiceRequest` (open-telemetry/opentelemetry-proto
/// `docs/specification.md`, JSON mapping), as written by the OpenTelemetry Collector's file exporter.
///
/// `resourceSpans[].resource.attributes` give the service (`service.name`, else `"unknown"`); spans are read from
/// `scopeSpans[]` and the legacy `instrumentationLibrarySpans[]`. Ids are hex, case-insensitive (an empty or
/// all-zero `parentSpanId` means none); `kind` and `status.code` are integers or enum names; nanosecond times are
/// decimal strings or numbers, rounded to µs as the exporters do. Span attributes come first, then the scope
/// (`otel.scope.name`/`otel.scope.version`) and resource attributes whose keys the span does not have, like the
/// Jaeger and Zipkin exporters' tags. `bytesValue` stays the base64 text. `links[]` keep their ids and
/// attributes (a link without valid hex ids is left out). Unknown fields are ignored.
public enum OTLPDecoder {
    /// A document without `resourceSpans`, or with a span lacking a valid trace id, span id or times, gives
    /// `.failure(.otlp)`.
    public static func decode(_ json: JSONValue) -> Result<[Span], RejectReason> {
        guard let resourceSpans = json["resourceSpans"]?.array else { return .failure(.otlp) }
        var out: [Span] = []
        for rs in resourceSpans {
            guard case .object = rs else { return .failure(.otlp) }
            let resource = keyValues(rs["resource"]?["attributes"])
            var service = "unknown"
            if case .string(let s)? = resource[key: "service.name"], !s.isEmpty { service = s }
            let scopes = (rs["scopeSpans"]?.array ?? []) + (rs["instrumentationLibrarySpans"]?.array ?? [])
            for scopeSpans in scopes {
                let scope = scopeSpans["scope"] ?? scopeSpans["instrumentationLibrary"]
                var inherited: [Attribute] = []
                if let n = scope?["name"]?.string, !n.isEmpty {
                    inherited.append(Attribute("otel.scope.name", .string(n)))
                }
                if let v = scope?["version"]?.string, !v.isEmpty {
                    inherited.append(Attribute("otel.scope.version", .string(v)))
                }
                inherited += resource
                for s in scopeSpans["spans"]?.array ?? [] {
                    guard let span = span(s, service: service, inherited: inherited) else { return .failure(.otlp) }
                    out.append(span)
                }
            }
        }
        return .success(out)
    }

    private static func span(_ s: JSONValue, service: String, inherited: [Attribute]) -> Span? {
        guard let t = s["traceId"]?.string, t.utf8.count == 32, let traceID = TraceID(hex: t), !traceID.isZero,
            let i = s["spanId"]?.string, i.utf8.count == 16, let spanID = SpanID(hex: i), !spanID.isZero,
            let startNanos = s["startTimeUnixNano"]?.int64, let endNanos = s["endTimeUnixNano"]?.int64
        else { return nil }
        var parentID: SpanID?
        if let p = s["parentSpanId"]?.string, !p.isEmpty {
            guard let id = SpanID(hex: p) else { return nil }
            parentID = id.isZero ? nil : id
        }
        var kind = SpanKind.unspecified
        switch s["kind"] {
        case .int(let k)?: kind = SpanKind(rawValue: Int(truncatingIfNeeded: k)) ?? .unspecified
        case .string(let k)?: kind = SpanKind(name: k) ?? .unspecified
        default: break
        }
        var status = StatusCode.unset
        switch s["status"]?["code"] {
        case .int(let c)?: status = StatusCode(rawValue: Int(truncatingIfNeeded: c)) ?? .unset
        case .string(let c)?:
            switch c.uppercased() {
            case "STATUS_CODE_OK", "OK": status = .ok
            case "STATUS_CODE_ERROR", "ERROR": status = .error
            default: break
            }
        default: break
        }
        var message = s["status"]?["message"]?.string
        if message?.isEmpty ?? false { message = nil }
        var attributes = keyValues(s["attributes"])
        SpanDecoding.appendMissing(inherited, to: &attributes)
        let events = (s["events"]?.array ?? []).map { e in
            SpanEvent(
                timeMicros: SpanDecoding.micros(nanos: e["timeUnixNano"]?.int64 ?? 0),
                name: e["name"]?.string ?? "", attributes: keyValues(e["attributes"]))
        }
        let start = SpanDecoding.micros(nanos: startNanos)
        let duration = SpanDecoding.micros(nanos: endNanos > startNanos ? endNanos &- startNanos : 0)
        var span = SpanDecoding.makeSpan(
            traceID: traceID, spanID: spanID, parentID: parentID, service: service, name: s["name"]?.string ?? "",
            kind: kind, startMicros: start, durationMicros: duration, attributes: attributes, events: events,
            status: (status, message))
        if let links = s["links"]?.array, !links.isEmpty {
            span.links = links.compactMap { l in
                guard let t = l["traceId"]?.string, t.utf8.count == 32, let trace = TraceID(hex: t), !trace.isZero,
                    let i = l["spanId"]?.string, i.utf8.count == 16, let id = SpanID(hex: i), !id.isZero
                else { return nil }
                return SpanLink(traceID: trace, spanID: id, attributes: keyValues(l["attributes"]))
            }
        }
        return span
    }

    /// `[{key, value: AnyValue}]`; entries without a key are skipped.
    static func keyValues(_ json: JSONValue?) -> [Attribute] {
        guard let list = json?.array else { return [] }
        var out: [Attribute] = []
        out.reserveCapacity(list.count)
        for kv in list {
            guard let key = kv["key"]?.string else { continue }
            out.append(Attribute(key, anyValue(kv["value"])))
        }
        return out
    }

    /// An OTLP `AnyValue`. An empty value is the empty string.
    static func anyValue(_ json: JSONValue?) -> AttributeValue {
        guard let json, case .object(let members) = json, let m = members.first else { return .string("") }
        switch (m.key, m.value) {
        case ("stringValue", .string(let s)), ("bytesValue", .string(let s)): return .string(s)
        case ("boolValue", .bool(let b)): return .bool(b)
        case ("intValue", let v): return v.int64.map(AttributeValue.int) ?? .string(v.string ?? "")
        case ("doubleValue", let v): return v.double.map(AttributeValue.double) ?? .string(v.string ?? "")
        case ("arrayValue", let v): return .array((v["values"]?.array ?? []).map { anyValue($0) })
        case ("kvlistValue", let v): return .map(keyValues(v["values"]))
        default: return SpanDecoding.attributeValue(m.value) ?? .string("")
        }
    }
}
