import MeshtopModel
import MeshtopOTLPProto
import MeshtopWire

/// Decodes a Zipkin proto3 `ListOfSpans` (openzipkin/zipkin-api `zipkin.proto`), the body of
/// `POST /api/v2/spans` with `Content-Type: application/x-protobuf`, with the mapping of MeshtopWire's JSON
/// `ZipkinDecoder`: kind absent → internal unless a `span.kind` tag says otherwise, service from
/// `local_endpoint.service_name` (else `"unknown"`), peer from `remote_endpoint.service_name`, tags as string
/// attributes (sorted by key: a proto map has no order), annotations as events (OpenTelemetry's
/// `{"name": {attrs}}` values unpacked), status from `otel.status_code` / `error` tags.
public enum ZipkinProtoDecoder {
    /// Throws `OTLPDecodeError.protobuf` when the body is not a `ListOfSpans`. A span with a trace id that is not
    /// 8 or 16 non-zero bytes, an id that is not 8 non-zero bytes, a parent id neither empty nor 8 bytes, or no
    /// timestamp gives `.rejected` in its place; the other spans are kept.
    public static func decode(_ body: [UInt8]) throws -> [Decoded] {
        let list: Zipkin_Proto3_ListOfSpans
        do {
            list = try Zipkin_Proto3_ListOfSpans(serializedBytes: body)
        } catch {
            throw OTLPDecodeError.protobuf(message: Zipkin_Proto3_ListOfSpans.protoMessageName, reason: "\(error)")
        }
        return list.spans.map { s in
            switch span(s) {
            case .success(let span): return .span(span)
            case .failure(let reason): return .rejected(reason, sample: [])
            }
        }
    }

    static func span(_ s: Zipkin_Proto3_Span) -> Result<Span, RejectReason> {
        let t = s.traceID
        guard t.count == 8 || t.count == 16 else { return .failure(.invalidTraceID) }
        let traceID = TraceID(
            high: t.count == 16 ? OTLPValues.bigEndian(t, 0, 8) : 0, low: OTLPValues.bigEndian(t, t.count - 8, 8))
        guard !traceID.isZero else { return .failure(.invalidTraceID) }
        guard let spanID = OTLPValues.spanID(s.id), !spanID.isZero else { return .failure(.invalidSpanID) }
        var parentID: SpanID?
        if !s.parentID.isEmpty {
            guard let p = OTLPValues.spanID(s.parentID) else { return .failure(.invalidSpanID) }
            parentID = p.isZero ? nil : p
        }
        guard s.timestamp > 0, s.timestamp <= UInt64(Int64.max), s.duration <= UInt64(Int64.max) else {
            return .failure(.zipkin)
        }
        let attributes = s.tags.sorted { $0.key < $1.key }.map { Attribute($0.key, .string($0.value)) }
        var kind: SpanKind?
        switch s.kind {
        case .client: kind = .client
        case .server: kind = .server
        case .producer: kind = .producer
        case .consumer: kind = .consumer
        default: kind = attributes.contains(where: { $0.key == "span.kind" }) ? nil : .internal
        }
        let events = s.annotations.map {
            ZipkinDecoder.event(time: Int64(clamping: $0.timestamp), value: $0.value)
        }
        return .success(
            SpanDecoding.makeSpan(
                traceID: traceID, spanID: spanID, parentID: parentID,
                service: s.localEndpoint.serviceName.isEmpty ? "unknown" : s.localEndpoint.serviceName,
                name: s.name, kind: kind, startMicros: Int64(s.timestamp), durationMicros: Int64(s.duration),
                attributes: attributes, events: events,
                peerService: s.remoteEndpoint.serviceName.isEmpty ? nil : s.remoteEndpoint.serviceName))
    }
}
