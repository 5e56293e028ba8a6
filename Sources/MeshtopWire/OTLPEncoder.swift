import MeshtopModel

/// Encodes spans as an OTLP/JSON `ExportTraceServiceRequest`: one `resourceSpans` entry per service (resource
/// attribute `service.name`), one `scopeSpans` each, integer enums, nanosecond times as decimal strings and
/// 64-bit integers as strings, per the protobuf JSON mapping.
public enum OTLPEncoder {
    public static func encode(_ spans: [Span]) -> [UInt8] {
        var services: [String] = []
        var byService: [String: [Span]] = [:]
        for s in spans {
            if byService[s.service] == nil { services.append(s.service) }
            byService[s.service, default: []].append(s)
        }
        var out = #"{"resourceSpans":["#
        for (i, service) in services.enumerated() {
            if i > 0 { out += "," }
            out += #"{"resource":{"attributes":["#
            out += keyValue(Attribute("service.name", .string(service)))
            out += #"]},"scopeSpans":[{"spans":["#
            out += byService[service]!.map(span).joined(separator: ",")
            out += "]}]}"
        }
        out += "]}"
        return Array(out.utf8)
    }

    private static func span(_ s: Span) -> String {
        var out = #"{"traceId":""# + s.traceID.hex + #"","spanId":""# + s.spanID.hex + "\""
        if let p = s.parentID { out += #","parentSpanId":""# + p.hex + "\"" }
        out += #","name":"# + JSONText.quote(s.name) + #","kind":\#(s.kind.rawValue)"#
        let end = (s.startMicros &+ s.durationMicros) &* 1000
        out += #","startTimeUnixNano":"\#(s.startMicros &* 1000)","endTimeUnixNano":"\#(end)""#
        out += #","attributes":["# + s.attributes.map(keyValue).joined(separator: ",") + "]"
        if !s.events.isEmpty {
            out += #","events":["#
            out += s.events.map { e in
                #"{"timeUnixNano":"\#(e.timeMicros &* 1000)","name":"# + JSONText.quote(e.name)
                    + #","attributes":["# + e.attributes.map(keyValue).joined(separator: ",") + "]}"
            }.joined(separator: ",")
            out += "]"
        }
        out += #","status":{"code":\#(s.status.rawValue)"#
        if let m = s.statusMessage { out += #","message":"# + JSONText.quote(m) }
        return out + "}}"
    }

    private static func keyValue(_ a: Attribute) -> String {
        #"{"key":"# + JSONText.quote(a.key) + #","value":"# + anyValue(a.value) + "}"
    }

    private static func anyValue(_ v: AttributeValue) -> String {
        switch v {
        case .string(let s): return #"{"stringValue":"# + JSONText.quote(s) + "}"
        case .bool(let b): return #"{"boolValue":\#(b)}"#
        case .int(let i): return #"{"intValue":"\#(i)"}"#
        case .double(let d):
            if d.isFinite { return #"{"doubleValue":\#(d)}"# }
            return #"{"doubleValue":""# + (d.isNaN ? "NaN" : d > 0 ? "Infinity" : "-Infinity") + "\"}"
        case .array(let a): return #"{"arrayValue":{"values":["# + a.map(anyValue).joined(separator: ",") + "]}}"
        case .map(let m): return #"{"kvlistValue":{"values":["# + m.map(keyValue).joined(separator: ",") + "]}}"
        }
    }
}
