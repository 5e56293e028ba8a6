import MeshtopModel
import MeshtopWire

/// libFuzzer entry: every input is one datagram for `WireDecoder` (the text formats and the JSON-based span
/// formats), then the same bytes as a single line. Beyond "no crash, leak or hang" it checks that every
/// rejection keeps at most 512 bytes of its line. (A datagram may yield nothing: `[]` is an empty Zipkin batch.)
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzText(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let context = DecodeContext(receivedAtMicros: 1_795_733_245_000_000, sourceHost: "fuzz")
    var out: [Decoded] = []
    WireDecoder.decode(datagram: bytes, context: context, into: &out)
    WireDecoder.decode(line: bytes, context: context, into: &out)
    for case .rejected(_, let sample) in out { precondition(sample.count <= 512, "sample too large") }
    return 0
}
