import MeshtopModel

/// Decodes the Jaeger agent's UDP payload: a thrift compact `Agent.emitBatch` oneway message
/// (jaegertracing/jaeger-idl `thrift/agent.thrift`, `thrift/jaeger.thrift`), as sent by Jaeger clients and
/// OpenTelemetry's Jaeger exporter.
///
/// Mapping: ids are the i64s' unsigned bit patterns; the parent is `parentSpanId` (0 = none) else the first
/// CHILD_OF reference of the same trace (else its first FOLLOWS_FROM), and every other reference is a link
/// (`opentracing.ref_type` `child_of`/`follows_from`); kind from tag `span.kind`; status from
/// `otel.status_code`/`otel.status_description` (or an `error` tag); peer service from `peer.service`.
/// Attributes are the span's tags in order followed by the process tags whose key the span does not have.
/// Logs become events named by their `event` field, else `message`, else `"log"`; the other fields are the
/// event's attributes. Binary tag values become lowercase hex strings.
public enum JaegerThriftDecoder {
    /// Any malformed, truncated or hostile input gives `.failure(.thrift)`.
    public static func decodeEmitBatch(_ bytes: UnsafeRawBufferPointer) -> Result<[Span], RejectReason> {
        var reader = ThriftCompactReader(bytes)
        do {
            return .success(try readMessage(&reader))
        } catch {
            return .failure(.thrift)
        }
    }

    /// Convenience overload over an array.
    public static func decodeEmitBatch(_ bytes: [UInt8]) -> Result<[Span], RejectReason> {
        bytes.withUnsafeBytes { decodeEmitBatch($0) }
    }

    private static let methodName: [UInt8] = Array("emitBatch".utf8)

    private static func readMessage(_ r: inout ThriftCompactReader) throws(ThriftError) -> [Span] {
        guard try r.readByte() == 0x82 else { throw .malformed }
        let versionAndType = try r.readByte()
        // Version 1; message type CALL (1) or ONEWAY (4).
        guard versionAndType & 0x1F == 1, versionAndType >> 5 == 1 || versionAndType >> 5 == 4 else {
            throw .malformed
        }
        _ = try r.readVarint()
        let name = try r.readBinary()
        guard name.elementsEqual(methodName) else { throw .malformed }
        var spans: [Span]?
        var last: Int16 = 0
        while let field = try r.readFieldHeader(lastID: &last) {
            if field.id == 1, field.type == CompactType.struct {
                spans = try readBatch(&r)
            } else {
                try r.skip(field.type)
            }
        }
        guard let spans else { throw .malformed }
        return spans
    }

    private static func readBatch(_ r: inout ThriftCompactReader) throws(ThriftError) -> [Span] {
        try r.enter()
        var service: String?
        var processTags: [Attribute] = []
        var raw: [RawSpan] = []
        var last: Int16 = 0
        while let field = try r.readFieldHeader(lastID: &last) {
            switch (field.id, field.type) {
            case (1, CompactType.struct):
                try r.enter()
                var pLast: Int16 = 0
                while let pf = try r.readFieldHeader(lastID: &pLast) {
                    switch (pf.id, pf.type) {
                    case (1, CompactType.binary): service = try r.readString()
                    case (2, CompactType.list): processTags = try readTags(&r)
                    default: try r.skip(pf.type)
                    }
                }
                r.leave()
            case (2, CompactType.list):
                let (element, count) = try r.readListHeader()
                guard element == CompactType.struct else {
                    for _ in 0..<count { try r.skip(element, inCollection: true) }
                    continue
                }
                raw.reserveCapacity(min(count, 256))
                for _ in 0..<count { raw.append(try readSpan(&r)) }
            default:
                try r.skip(field.type)
            }
        }
        r.leave()
        let serviceName = (service?.isEmpty ?? true) ? "unknown" : service!
        return raw.map { $0.span(service: serviceName, processTags: processTags) }
    }

    private static func readSpan(_ r: inout ThriftCompactReader) throws(ThriftError) -> RawSpan {
        try r.enter()
        var s = RawSpan()
        var last: Int16 = 0
        while let f = try r.readFieldHeader(lastID: &last) {
            switch (f.id, f.type) {
            case (1, CompactType.i64): s.traceLow = UInt64(bitPattern: try r.readI64())
            case (2, CompactType.i64): s.traceHigh = UInt64(bitPattern: try r.readI64())
            case (3, CompactType.i64): s.spanID = UInt64(bitPattern: try r.readI64())
            case (4, CompactType.i64): s.parentID = UInt64(bitPattern: try r.readI64())
            case (5, CompactType.binary): s.name = try r.readString()
            case (6, CompactType.list): s.references = try readReferences(&r)
            case (8, CompactType.i64): s.start = try r.readI64()
            case (9, CompactType.i64): s.duration = try r.readI64()
            case (10, CompactType.list): s.tags = try readTags(&r)
            case (11, CompactType.list): s.logs = try readLogs(&r)
            default: try r.skip(f.type)
            }
        }
        r.leave()
        guard s.traceLow != 0 || s.traceHigh != 0, s.spanID != 0 else { throw .malformed }
        return s
    }

    private static func readReferences(_ r: inout ThriftCompactReader) throws(ThriftError) -> [RawReference] {
        let (element, count) = try r.readListHeader()
        var out: [RawReference] = []
        for _ in 0..<count {
            guard element == CompactType.struct else {
                try r.skip(element, inCollection: true)
                continue
            }
            try r.enter()
            var ref = RawReference()
            var last: Int16 = 0
            while let f = try r.readFieldHeader(lastID: &last) {
                switch (f.id, f.type) {
                case (1, CompactType.i32): ref.type = try r.readI32()
                case (2, CompactType.i64): ref.traceLow = UInt64(bitPattern: try r.readI64())
                case (3, CompactType.i64): ref.traceHigh = UInt64(bitPattern: try r.readI64())
                case (4, CompactType.i64): ref.spanID = UInt64(bitPattern: try r.readI64())
                default: try r.skip(f.type)
                }
            }
            r.leave()
            out.append(ref)
        }
        return out
    }

    private static func readLogs(_ r: inout ThriftCompactReader) throws(ThriftError) -> [SpanEvent] {
        let (element, count) = try r.readListHeader()
        var out: [SpanEvent] = []
        for _ in 0..<count {
            guard element == CompactType.struct else {
                try r.skip(element, inCollection: true)
                continue
            }
            try r.enter()
            var time: Int64 = 0
            var fields: [Attribute] = []
            var last: Int16 = 0
            while let f = try r.readFieldHeader(lastID: &last) {
                switch (f.id, f.type) {
                case (1, CompactType.i64): time = try r.readI64()
                case (2, CompactType.list): fields = try readTags(&r)
                default: try r.skip(f.type)
                }
            }
            r.leave()
            out.append(event(time: time, fields: fields))
        }
        return out
    }

    /// A log's name is its `event` field, else its `message` field; that field is not kept as an attribute.
    static func event(time: Int64, fields: [Attribute]) -> SpanEvent {
        var fields = fields
        for key in ["event", "message"] {
            if let i = fields.firstIndex(where: { $0.key == key }) {
                let name = fields[i].value.text
                fields.remove(at: i)
                return SpanEvent(timeMicros: time, name: name, attributes: fields)
            }
        }
        return SpanEvent(timeMicros: time, name: "log", attributes: fields)
    }

    private static func readTags(_ r: inout ThriftCompactReader) throws(ThriftError) -> [Attribute] {
        let (element, count) = try r.readListHeader()
        var out: [Attribute] = []
        out.reserveCapacity(element == CompactType.struct ? min(count, 256) : 0)
        for _ in 0..<count {
            guard element == CompactType.struct else {
                try r.skip(element, inCollection: true)
                continue
            }
            out.append(try readTag(&r))
        }
        return out
    }

    private static func readTag(_ r: inout ThriftCompactReader) throws(ThriftError) -> Attribute {
        try r.enter()
        var key = ""
        var vType: Int32 = -1
        var str: String?
        var dbl: Double?
        var bool: Bool?
        var long: Int64?
        var bin: [UInt8]?
        var last: Int16 = 0
        while let f = try r.readFieldHeader(lastID: &last) {
            switch (f.id, f.type) {
            case (1, CompactType.binary): key = try r.readString()
            case (2, CompactType.i32): vType = try r.readI32()
            case (3, CompactType.binary): str = try r.readString()
            case (4, CompactType.double): dbl = try r.readDouble()
            case (5, CompactType.boolTrue), (5, CompactType.boolFalse):
                bool = ThriftCompactReader.boolValue(fieldType: f.type)
            case (6, CompactType.i64): long = try r.readI64()
            case (7, CompactType.binary): bin = Array(try r.readBinary())
            default: try r.skip(f.type)
            }
        }
        r.leave()
        let value: AttributeValue
        switch vType {
        case 0: value = .string(str ?? "")
        case 1: value = .double(dbl ?? 0)
        case 2: value = .bool(bool ?? false)
        case 3: value = .int(long ?? 0)
        case 4: value = .string(HexParsing.hex(bin ?? []))
        default:
            // Unknown type: keep whichever value is present.
            if let str {
                value = .string(str)
            } else if let dbl {
                value = .double(dbl)
            } else if let bool {
                value = .bool(bool)
            } else if let long {
                value = .int(long)
            } else {
                value = .string(HexParsing.hex(bin ?? []))
            }
        }
        return Attribute(key, value)
    }
}

private struct RawReference {
    var type: Int32 = 0
    var traceLow: UInt64 = 0
    var traceHigh: UInt64 = 0
    var spanID: UInt64 = 0
}

private struct RawSpan {
    var traceLow: UInt64 = 0
    var traceHigh: UInt64 = 0
    var spanID: UInt64 = 0
    var parentID: UInt64 = 0
    var name = ""
    var references: [RawReference] = []
    var start: Int64 = 0
    var duration: Int64 = 0
    var tags: [Attribute] = []
    var logs: [SpanEvent] = []

    func span(service: String, processTags: [Attribute]) -> Span {
        var parent: UInt64 = parentID
        if parent == 0 {
            let sameTrace = references.filter { $0.traceLow == traceLow && $0.traceHigh == traceHigh && $0.spanID != 0 }
            parent = (sameTrace.first(where: { $0.type == 0 }) ?? sameTrace.first)?.spanID ?? 0
        }
        var attributes = tags
        SpanDecoding.appendMissing(processTags, to: &attributes)
        var span = SpanDecoding.makeSpan(
            traceID: TraceID(high: traceHigh, low: traceLow), spanID: SpanID(spanID),
            parentID: parent == 0 ? nil : SpanID(parent), service: service, name: name, kind: nil,
            startMicros: start, durationMicros: max(0, duration), attributes: attributes, events: logs)
        if !references.isEmpty { span.links = links(parent: parent) }
        return span
    }

    /// Every reference but the parent's, as a link with `opentracing.ref_type` `child_of` or `follows_from` (as
    /// OpenTelemetry's Jaeger receiver names it); references with a zero trace or span id are left out.
    private func links(parent: UInt64) -> [SpanLink] {
        references.compactMap { r in
            let isParent = r.spanID == parent && r.traceLow == traceLow && r.traceHigh == traceHigh
            guard !isParent, r.spanID != 0, r.traceLow != 0 || r.traceHigh != 0 else { return nil }
            return SpanLink(
                traceID: TraceID(high: r.traceHigh, low: r.traceLow), spanID: SpanID(r.spanID),
                attributes: [Attribute("opentracing.ref_type", .string(r.type == 0 ? "child_of" : "follows_from"))])
        }
    }
}
