import Foundation
import MeshtopModel
import MeshtopOTLP
import Testing

/// The captured and hand-written bodies in `Fixtures/` (see its README).
enum Fixture {
    static func bytes(_ name: String) throws -> [UInt8] {
        let base = (name as NSString).deletingPathExtension
        let ext = (name as NSString).pathExtension
        let url = try #require(Bundle.module.url(forResource: base, withExtension: ext, subdirectory: "Fixtures"))
        return Array(try Data(contentsOf: url))
    }

    static let traceID = TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736")!
    static let clientSpanID = SpanID(hex: "00f067aa0ba902b7")!
    static let serverSpanID = SpanID(hex: "00f067aa0ba902b8")!

    /// The checkout SERVER span's identity, times and status, whichever format it came in.
    static func expectServerSpan(_ s: Span, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(s.traceID == traceID, sourceLocation: sourceLocation)
        #expect(s.spanID == serverSpanID, sourceLocation: sourceLocation)
        #expect(s.parentID == clientSpanID, sourceLocation: sourceLocation)
        #expect(s.service == "checkout", sourceLocation: sourceLocation)
        #expect(s.name == "POST /pay", sourceLocation: sourceLocation)
        #expect(s.kind == .server, sourceLocation: sourceLocation)
        #expect(s.startMicros == 1_700_000_000_001_000, sourceLocation: sourceLocation)
        #expect(s.durationMicros == 3000, sourceLocation: sourceLocation)
        #expect(s.status == .error, sourceLocation: sourceLocation)
        #expect(s.statusMessage == "payment failed", sourceLocation: sourceLocation)
        #expect(s.isError, sourceLocation: sourceLocation)
    }

    static func decode(
        _ signal: OTLPSignal, _ name: String, encoding: OTLPEncoding = .protobuf, receivedAtMicros: Int64 = 0
    ) throws -> OTLPDecoded {
        var cumulative = CumulativeToDelta()
        return try OTLPRequestDecoder.decode(
            signal, body: bytes(name), encoding: encoding, receivedAtMicros: receivedAtMicros,
            cumulative: &cumulative)
    }
}

extension Decoded {
    var span: Span? {
        if case .span(let s) = self { return s }
        return nil
    }

    var log: LogRecord? {
        if case .log(let l) = self { return l }
        return nil
    }

    var metric: MetricSample? {
        if case .metric(let m) = self { return m }
        return nil
    }
}
