import MeshtopModel
import MeshtopStore
import MeshtopWire

/// The stored JSON columns (`JSONText` text) back into model values, with MeshtopWire's order-keeping parser.
enum JSONDecoding {
    static func attributes(_ json: String) -> [Attribute] {
        if json == "{}" || json.isEmpty { return [] }
        guard case .success(let value) = JSONParser.parse(json), case .map(let members) = attribute(value) else {
            return []
        }
        return members
    }

    static func events(_ json: String) -> [SpanEvent] {
        if json == "[]" || json.isEmpty { return [] }
        guard case .success(.array(let items)) = JSONParser.parse(json) else { return [] }
        return items.compactMap { item in
            guard case .object = item else { return nil }
            var attributes: [Attribute] = []
            if let a = item["attributes"], case .map(let m) = attribute(a) { attributes = m }
            return SpanEvent(
                timeMicros: item["time"]?.int64 ?? 0, name: item["name"].map { attribute($0).text } ?? "",
                attributes: attributes)
        }
    }

    /// `SpanLinksJSON` text back into links; an item without a valid trace and span id is left out.
    static func links(_ json: String?) -> [SpanLink] {
        guard let json, json != "[]", !json.isEmpty, case .success(.array(let items)) = JSONParser.parse(json) else {
            return []
        }
        return items.compactMap { item in
            guard let trace = item["trace_id"].flatMap({ TraceID(hex: attribute($0).text) }),
                let span = item["span_id"].flatMap({ SpanID(hex: attribute($0).text) })
            else { return nil }
            var attributes: [Attribute] = []
            if let a = item["attributes"], case .map(let m) = attribute(a) { attributes = m }
            return SpanLink(traceID: trace, spanID: span, attributes: attributes)
        }
    }

    static func attribute(_ v: JSONValue) -> AttributeValue {
        switch v {
        case .null: return .string("")
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .array(let items): return .array(items.map(attribute))
        case .object(let members): return .map(members.map { Attribute($0.key, attribute($0.value)) })
        }
    }

    static func decoded(_ stored: StoredSpan) -> Span {
        var span = stored.span
        span.attributes = attributes(stored.attributesJSON)
        span.events = events(stored.eventsJSON)
        span.links = links(stored.linksJSON)
        return span
    }
}
