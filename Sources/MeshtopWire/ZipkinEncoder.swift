import MeshtopModel

/// Encodes spans as a Zipkin v2 JSON array (a `POST /api/v2/spans` body), shaped like OpenTelemetry's Zipkin
/// exporter: `localEndpoint.serviceName`, `remoteEndpoint.serviceName` for the peer service, every attribute as a
/// string tag, `otel.status_code` and an `error` tag (the status message, or `""`) for error spans, and events as
/// annotations (`{"name": {attributes}}` as a JSON string when the event has attributes). INTERNAL and
/// unspecified kinds are written without `kind`. Tags the attributes already carry are not repeated.
public enum ZipkinEncoder {
    public static func encode(_ spans: [Span]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(spans.count * 512)
        out.append(UInt8(ascii: "["))
        for (i, s) in spans.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            append(s, to: &out)
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    private static func append(_ s: Span, to out: inout [UInt8]) {
        func raw(_ text: String) { out.append(contentsOf: text.utf8) }
        func key(_ k: String) { raw(",\"\(k)\":") }
        raw("{\"traceId\":\"")
        raw(s.traceID.high == 0 ? HexParsing.hex64(s.traceID.low) : s.traceID.hex)
        raw("\",\"id\":\"\(s.spanID.hex)\"")
        if let p = s.parentID { raw(",\"parentId\":\"\(p.hex)\"") }
        key("name")
        raw(JSONText.quote(s.name))
        switch s.kind {
        case .server, .client, .producer, .consumer: raw(",\"kind\":\"\(s.kind.name)\"")
        case .internal, .unspecified: break
        }
        raw(",\"timestamp\":\(s.startMicros),\"duration\":\(s.durationMicros)")
        raw(",\"localEndpoint\":{\"serviceName\":\(JSONText.quote(s.service))}")
        if let peer = s.peerService { raw(",\"remoteEndpoint\":{\"serviceName\":\(JSONText.quote(peer))}") }
        let tags = tags(of: s)
        if !tags.isEmpty {
            key("tags")
            raw("{")
            for (i, t) in tags.enumerated() {
                if i > 0 { raw(",") }
                raw(JSONText.quote(t.key) + ":" + JSONText.quote(t.value.text))
            }
            raw("}")
        }
        if !s.events.isEmpty {
            key("annotations")
            raw("[")
            for (i, e) in s.events.enumerated() {
                if i > 0 { raw(",") }
                let value =
                    e.attributes.isEmpty ? e.name : "{\(JSONText.quote(e.name)):\(JSONText.encode(e.attributes))}"
                raw("{\"timestamp\":\(e.timeMicros),\"value\":\(JSONText.quote(value))}")
            }
            raw("]")
        }
        raw("}")
    }

    /// Attributes plus `otel.status_code` and `error` when the status calls for them and they are missing.
    static func tags(of s: Span) -> [Attribute] {
        var tags = s.attributes
        if s.status != .unset, !tags.contains(where: { $0.key == "otel.status_code" }) {
            tags.append(Attribute("otel.status_code", .string(s.status == .error ? "ERROR" : "OK")))
        }
        let needsError =
            s.status == .error || (s.isError && !ErrorRule.isError(attributes: tags, status: s.status, kind: s.kind))
        if needsError, !tags.contains(where: { $0.key == "error" }) {
            tags.append(Attribute("error", .string(s.statusMessage ?? "")))
        }
        return tags
    }
}
