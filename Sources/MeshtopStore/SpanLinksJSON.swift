import GRDB
import MeshtopModel

/// The `spans.links` column (migration `v7-span-links`): NULL for a span without links (nearly all of them, so
/// the hot insert path binds a NULL), else a JSON array
/// `[{"trace_id":"<32 hex>","span_id":"<16 hex>","attributes":{…}}]` in the order the links were sent.
public enum SpanLinksJSON {
    /// Appends the JSON array of `links` (non-empty) to `out`.
    public static func append(_ links: [SpanLink], to out: inout [UInt8]) {
        out.append(0x5B)
        for (k, l) in links.enumerated() {
            if k > 0 { out.append(0x2C) }
            out.append(contentsOf: "{\"trace_id\":\"\(l.traceID.hex)\",\"span_id\":\"\(l.spanID.hex)\",".utf8)
            out.append(contentsOf: "\"attributes\":".utf8)
            JSONText.append(l.attributes, to: &out)
            out.append(0x7D)
        }
        out.append(0x5D)
    }

    /// The links of a stored `links` value; NULL, `[]` and anything unreadable give `[]`, and an item without a
    /// valid trace and span id is left out.
    static func links(_ db: Database, _ json: String?) throws -> [SpanLink] {
        guard let json, json != "[]", !json.isEmpty else { return [] }
        guard case .array(let items)? = try JSONColumns.value(db, json) else { return [] }
        return items.compactMap { item in
            guard case .map(let fields) = item,
                let trace = fields[key: "trace_id"].flatMap({ TraceID(hex: $0.text) }),
                let span = fields[key: "span_id"].flatMap({ SpanID(hex: $0.text) })
            else { return nil }
            var attributes: [Attribute] = []
            if case .map(let a)? = fields[key: "attributes"] { attributes = a }
            return SpanLink(traceID: trace, spanID: span, attributes: attributes)
        }
    }
}
