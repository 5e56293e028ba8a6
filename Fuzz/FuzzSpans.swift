import MeshtopModel
import MeshtopWire

/// libFuzzer entry point for the span decoders: every input goes to the Jaeger thrift decoder, and, when it
/// parses as JSON, to the Zipkin and OTLP decoders and back through the encoders. A crash, a sanitizer report, a
/// hang or a failed invariant below is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSpans(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size)
    if case .success(let spans) = JaegerThriftDecoder.decodeEmitBatch(bytes), let first = spans.first {
        // What decodes must re-encode and decode to the same spans.
        let again = JaegerThriftEncoder.emitBatch(service: first.service, spans: spans)
        guard case .success(let back) = JaegerThriftDecoder.decodeEmitBatch(again), back.count == spans.count else {
            preconditionFailure("Jaeger re-encode did not decode")
        }
    }
    guard case .success(let json) = JSONParser.parse(bytes) else { return 0 }
    if case .success(let spans) = ZipkinDecoder.decode(json) {
        guard case .success(let again) = JSONParser.parse(ZipkinEncoder.encode(spans)),
            case .success(let back) = ZipkinDecoder.decode(again), back.count == spans.count
        else { preconditionFailure("Zipkin re-encode did not decode") }
    }
    if case .success(let spans) = OTLPDecoder.decode(json) {
        guard case .success(let again) = JSONParser.parse(OTLPEncoder.encode(spans)),
            case .success(let back) = OTLPDecoder.decode(again), back.count == spans.count
        else { preconditionFailure("OTLP re-encode did not decode") }
    }
    return 0
}
