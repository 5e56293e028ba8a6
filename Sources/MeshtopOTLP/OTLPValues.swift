import Foundation
import MeshtopModel
import MeshtopOTLPProto
import MeshtopWire

typealias ProtoKeyValue = Opentelemetry_Proto_Common_V1_KeyValue
typealias ProtoAnyValue = Opentelemetry_Proto_Common_V1_AnyValue

/// OTLP common types → model values, shared by the three signals.
enum OTLPValues {
    /// `[KeyValue]` in the sender's order.
    static func attributes(_ list: [ProtoKeyValue]) -> [Attribute] {
        var out: [Attribute] = []
        out.reserveCapacity(list.count)
        for kv in list { out.append(Attribute(kv.key, value(kv.value))) }
        return out
    }

    /// An `AnyValue`; an empty one is the empty string and bytes are their base64 text, as in the OTLP/JSON
    /// decoder of MeshtopWire.
    static func value(_ v: ProtoAnyValue) -> AttributeValue {
        switch v.value {
        case .stringValue(let s)?: return .string(s)
        case .boolValue(let b)?: return .bool(b)
        case .intValue(let i)?: return .int(i)
        case .doubleValue(let d)?: return .double(d)
        case .arrayValue(let a)?: return .array(a.values.map(value))
        case .kvlistValue(let l)?: return .map(attributes(l.values))
        case .bytesValue(let b)?: return .string(b.base64EncodedString())
        case .stringValueStrindex?, nil: return .string("")
        }
    }

    /// Resource attribute `service.name`, else `"unknown"`.
    static func service(_ resource: [Attribute]) -> String {
        if case .string(let s)? = resource[key: "service.name"], !s.isEmpty { return s }
        return "unknown"
    }

    /// `otel.scope.name` and `otel.scope.version` (when not empty) followed by the resource attributes: what
    /// every span or log of the scope inherits.
    static func inherited(_ scope: Opentelemetry_Proto_Common_V1_InstrumentationScope, resource: [Attribute])
        -> [Attribute]
    {
        var out: [Attribute] = []
        out.reserveCapacity(resource.count + 2)
        if !scope.name.isEmpty { out.append(Attribute("otel.scope.name", .string(scope.name))) }
        if !scope.version.isEmpty { out.append(Attribute("otel.scope.version", .string(scope.version))) }
        out += resource
        return out
    }

    /// OTLP's unsigned nanoseconds → microseconds, rounded as the exporters do.
    static func micros(_ nanos: UInt64) -> Int64 {
        SpanDecoding.micros(nanos: Int64(clamping: nanos))
    }

    /// A 16-byte, non-zero trace id.
    static func traceID(_ d: Data) -> TraceID? {
        guard d.count == 16 else { return nil }
        let id = TraceID(high: bigEndian(d, 0, 8), low: bigEndian(d, 8, 8))
        return id.isZero ? nil : id
    }

    /// An 8-byte span id (zero allowed: callers decide what zero means).
    static func spanID(_ d: Data) -> SpanID? {
        d.count == 8 ? SpanID(bigEndian(d, 0, 8)) : nil
    }

    /// `count` bytes from `offset` as a big-endian integer (Zipkin's 8-byte trace ids too). One pass over the
    /// bytes (`withUnsafeBytes`): `Data`'s per-byte subscript showed in profiles of the OTLP/HTTP path.
    static func bigEndian(_ d: Data, _ offset: Int, _ count: Int) -> UInt64 {
        d.withUnsafeBytes { raw in
            precondition(offset >= 0 && offset + count <= raw.count, "id bytes out of range")
            if count == 8 { return UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
            var v: UInt64 = 0
            for i in offset..<(offset + count) { v = v << 8 | UInt64(raw[i]) }
            return v
        }
    }
}
