import MeshtopModel

/// Encodes spans as a thrift compact `Agent.emitBatch` datagram shaped like OpenTelemetry's Jaeger exporter:
/// typed tags (string/double/bool/long; arrays and maps as JSON text), `span.kind` in lowercase,
/// `otel.status_code`/`otel.status_description`, `error=true` (bool) for error spans, `peer.service`, and each
/// event as a log whose fields are its attributes plus `message` = its name (`event` if `message` is taken).
/// Tags the span's attributes already carry are not repeated, so a decoded span re-encodes to the same tags.
public enum JaegerThriftEncoder {
    /// One datagram holding all `spans` for one process.
    public static func emitBatch(service: String, spans: [Span], processTags: [Attribute] = []) -> [UInt8] {
        assemble(service: service, processTags: processTags, spans: spans.map(encodeSpan))
    }

    /// Like the exporter with `udp_split_oversized_batches`: as many datagrams as needed to keep each at or under
    /// `maxBytes` (a single span larger than that still gets a datagram of its own).
    public static func emitBatches(
        service: String, spans: [Span], processTags: [Attribute] = [], maxBytes: Int = 65_000
    ) -> [[UInt8]] {
        let overhead = assemble(service: service, processTags: processTags, spans: []).count + 5
        var out: [[UInt8]] = []
        var group: [[UInt8]] = []
        var size = overhead
        for chunk in spans.map(encodeSpan) {
            if !group.isEmpty && size + chunk.count > maxBytes {
                out.append(assemble(service: service, processTags: processTags, spans: group))
                group = []
                size = overhead
            }
            group.append(chunk)
            size += chunk.count
        }
        if !group.isEmpty { out.append(assemble(service: service, processTags: processTags, spans: group)) }
        return out
    }

    private static func assemble(service: String, processTags: [Attribute], spans: [[UInt8]]) -> [UInt8] {
        var w = ThriftCompactWriter(capacity: 64 + spans.reduce(0) { $0 + $1.count })
        w.messageHeader(name: "emitBatch")
        var args: Int16 = 0
        w.fieldHeader(type: CompactType.struct, id: 1, last: &args)
        var batch: Int16 = 0
        w.fieldHeader(type: CompactType.struct, id: 1, last: &batch)
        var process: Int16 = 0
        w.fieldHeader(type: CompactType.binary, id: 1, last: &process)
        w.string(service)
        if !processTags.isEmpty {
            w.fieldHeader(type: CompactType.list, id: 2, last: &process)
            writeTags(processTags, to: &w)
        }
        w.stop()
        w.fieldHeader(type: CompactType.list, id: 2, last: &batch)
        w.listHeader(elementType: CompactType.struct, count: spans.count)
        for s in spans { w.bytes(s) }
        w.stop()
        w.stop()
        return w.buffer
    }

    /// One `Span` struct, STOP included.
    private static func encodeSpan(_ s: Span) -> [UInt8] {
        var w = ThriftCompactWriter(capacity: 256)
        var last: Int16 = 0
        w.fieldHeader(type: CompactType.i64, id: 1, last: &last)
        w.i64(Int64(bitPattern: s.traceID.low))
        w.fieldHeader(type: CompactType.i64, id: 2, last: &last)
        w.i64(Int64(bitPattern: s.traceID.high))
        w.fieldHeader(type: CompactType.i64, id: 3, last: &last)
        w.i64(Int64(bitPattern: s.spanID.raw))
        w.fieldHeader(type: CompactType.i64, id: 4, last: &last)
        w.i64(Int64(bitPattern: s.parentID?.raw ?? 0))
        w.fieldHeader(type: CompactType.binary, id: 5, last: &last)
        w.string(s.name)
        w.fieldHeader(type: CompactType.i32, id: 7, last: &last)
        w.i64(1)
        w.fieldHeader(type: CompactType.i64, id: 8, last: &last)
        w.i64(s.startMicros)
        w.fieldHeader(type: CompactType.i64, id: 9, last: &last)
        w.i64(s.durationMicros)
        w.fieldHeader(type: CompactType.list, id: 10, last: &last)
        writeTags(tags(of: s), to: &w)
        if !s.events.isEmpty {
            w.fieldHeader(type: CompactType.list, id: 11, last: &last)
            w.listHeader(elementType: CompactType.struct, count: s.events.count)
            for e in s.events {
                var logLast: Int16 = 0
                w.fieldHeader(type: CompactType.i64, id: 1, last: &logLast)
                w.i64(e.timeMicros)
                w.fieldHeader(type: CompactType.list, id: 2, last: &logLast)
                let nameKey = e.attributes.contains { $0.key == "message" } ? "event" : "message"
                writeTags(e.attributes + [Attribute(nameKey, .string(e.name))], to: &w)
                w.stop()
            }
        }
        w.stop()
        return w.buffer
    }

    /// The span's attributes plus the exporter's derived tags that the attributes do not already carry.
    static func tags(of s: Span) -> [Attribute] {
        var tags = s.attributes
        func addIfMissing(_ key: String, _ value: AttributeValue) {
            if !tags.contains(where: { $0.key == key }) { tags.append(Attribute(key, value)) }
        }
        if s.kind != .unspecified { addIfMissing("span.kind", .string(s.kind.name.lowercased())) }
        if s.status != .unset { addIfMissing("otel.status_code", .string(s.status == .error ? "ERROR" : "OK")) }
        if s.status == .error, let m = s.statusMessage, !m.isEmpty {
            addIfMissing("otel.status_description", .string(m))
        }
        if let peer = s.peerService { addIfMissing("peer.service", .string(peer)) }
        if s.status == .error || (s.isError && !ErrorRule.isError(attributes: tags, status: s.status, kind: s.kind)) {
            addIfMissing("error", .bool(true))
        }
        return tags
    }

    private static func writeTags(_ tags: [Attribute], to w: inout ThriftCompactWriter) {
        w.listHeader(elementType: CompactType.struct, count: tags.count)
        for t in tags {
            var last: Int16 = 0
            w.fieldHeader(type: CompactType.binary, id: 1, last: &last)
            w.string(t.key)
            w.fieldHeader(type: CompactType.i32, id: 2, last: &last)
            switch t.value {
            case .string(let s):
                w.i64(0)
                w.fieldHeader(type: CompactType.binary, id: 3, last: &last)
                w.string(s)
            case .double(let d):
                w.i64(1)
                w.fieldHeader(type: CompactType.double, id: 4, last: &last)
                w.double(d)
            case .bool(let b):
                w.i64(2)
                w.boolField(b, id: 5, last: &last)
            case .int(let i):
                w.i64(3)
                w.fieldHeader(type: CompactType.i64, id: 6, last: &last)
                w.i64(i)
            case .array, .map:
                w.i64(0)
                w.fieldHeader(type: CompactType.binary, id: 3, last: &last)
                w.string(JSONText.encode(t.value))
            }
            w.stop()
        }
    }
}
