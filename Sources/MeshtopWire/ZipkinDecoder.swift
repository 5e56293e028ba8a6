import MeshtopModel

/// Decodes Zipkin v2 JSON spans (openzipkin/zipkin-api `zipkin2-api.yaml`): one span object or an array of them.
///
/// Mapping decisions:
/// - `traceId` is 1–32 hex digits (16 or 32 in practice); a 64-bit id is zero-extended to 128 bits.
///   `id` is 1–16 hex digits and not zero. `parentId` absent, null, empty or zero means a root span.
/// - `kind`: `SERVER`/`CLIENT`/`PRODUCER`/`CONSUMER`. Both `"kind": null` (OpenTelemetry's exporter for INTERNAL)
///   and an absent kind (py_zipkin's LOCAL) give `.internal`: the Zipkin API defines a span without kind as local,
///   and the OpenTelemetry Collector's Zipkin receiver maps it to INTERNAL too. A `span.kind` tag is used when
///   `kind` is absent.
/// - `timestamp` (µs) is required; `duration` (µs) defaults to 0.
/// - Service is `localEndpoint.serviceName` (missing or empty: `"unknown"`); the peer service is
///   `remoteEndpoint.serviceName`, else tag `peer.service`.
/// - Tags become string attributes (numbers and bools sent by lenient clients are kept as their text).
/// - Annotations become events. A value that is a JSON object with one member whose value is an object — what
///   OpenTelemetry's exporter writes for an event with attributes, `{"name": {attrs}}` — gives that name and
///   typed attributes; any other value is the event's name.
/// - Status comes from `otel.status_code`, else from the `error` tag; `debug` and `shared` are ignored.
public enum ZipkinDecoder {
    /// Anything that is not a span object or an array of span objects gives `.failure(.zipkin)`.
    public static func decode(_ json: JSONValue) -> Result<[Span], RejectReason> {
        switch json {
        case .object(let members):
            guard let span = span(members) else { return .failure(.zipkin) }
            return .success([span])
        case .array(let items):
            var spans: [Span] = []
            spans.reserveCapacity(items.count)
            for item in items {
                guard case .object(let members) = item, let s = span(members) else { return .failure(.zipkin) }
                spans.append(s)
            }
            return .success(spans)
        default:
            return .failure(.zipkin)
        }
    }

    private static func span(_ members: [JSONMember]) -> Span? {
        var traceID: TraceID?
        var spanID: SpanID?
        var parentID: SpanID?
        var name = ""
        var kind: SpanKind?
        var start: Int64?
        var duration: Int64 = 0
        var service: String?
        var remote: String?
        var attributes: [Attribute] = []
        var events: [SpanEvent] = []
        for m in members {
            switch m.key {
            case "traceId":
                guard let s = m.value.string, let t = TraceID(hex: s), !t.isZero else { return nil }
                traceID = t
            case "id":
                guard let s = m.value.string, let id = SpanID(hex: s), !id.isZero else { return nil }
                spanID = id
            case "parentId":
                switch m.value {
                case .null: parentID = nil
                case .string(let s) where s.isEmpty: parentID = nil
                case .string(let s):
                    guard let p = SpanID(hex: s) else { return nil }
                    parentID = p.isZero ? nil : p
                default: return nil
                }
            case "name":
                if case .string(let s) = m.value { name = s }
            case "kind":
                switch m.value {
                case .null: kind = .internal
                case .string(let s): kind = SpanKind(name: s) ?? .unspecified
                default: return nil
                }
            case "timestamp":
                guard let t = m.value.int64, t >= 0 else { return nil }
                start = t
            case "duration":
                guard let d = m.value.int64, d >= 0 else { return nil }
                duration = d
            case "localEndpoint":
                if let s = m.value["serviceName"]?.string, !s.isEmpty { service = s }
            case "remoteEndpoint":
                if let s = m.value["serviceName"]?.string, !s.isEmpty { remote = s }
            case "tags":
                guard let tags = m.value.members else {
                    if m.value.isNull { continue }
                    return nil
                }
                attributes.reserveCapacity(tags.count)
                for t in tags {
                    switch t.value {
                    case .string(let s): attributes.append(Attribute(t.key, .string(s)))
                    case .null, .array, .object: continue
                    default: attributes.append(Attribute(t.key, .string(SpanDecoding.attributeValue(t.value)!.text)))
                    }
                }
            case "annotations":
                guard let list = m.value.array else {
                    if m.value.isNull { continue }
                    return nil
                }
                for a in list {
                    guard let time = a["timestamp"]?.int64, let value = a["value"]?.string else { return nil }
                    events.append(event(time: time, value: value))
                }
            default:
                continue
            }
        }
        guard let traceID, let spanID, let start else { return nil }
        if kind == nil, !attributes.contains(where: { $0.key == "span.kind" }) { kind = .internal }
        return SpanDecoding.makeSpan(
            traceID: traceID, spanID: spanID, parentID: parentID, service: service ?? "unknown", name: name,
            kind: kind, startMicros: start, durationMicros: duration, attributes: attributes, events: events,
            peerService: remote)
    }

    /// OpenTelemetry's `{"event name": {attributes}}` annotation value, else the value as the name.
    public static func event(time: Int64, value: String) -> SpanEvent {
        if value.utf8.first == UInt8(ascii: "{"), case .success(.object(let outer)) = JSONParser.parse(value),
            outer.count == 1, case .object(let inner) = outer[0].value
        {
            return SpanEvent(timeMicros: time, name: outer[0].key, attributes: SpanDecoding.attributes(inner))
        }
        return SpanEvent(timeMicros: time, name: value)
    }
}
