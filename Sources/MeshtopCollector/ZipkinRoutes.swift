import MeshtopModel
import MeshtopWire
import NIOCore
import NIOHTTP1

/// Zipkin's collector API, as Brave, zipkin-js and OpenTelemetry's Zipkin exporter use it: `POST /api/v2/spans` with
/// a JSON array of v2 spans (`application/json`, also assumed when no type is given), answered `202 Accepted` with
/// no body, as Zipkin does. A body that is not a list of valid spans is refused whole with 400 and a message;
/// the queue being full gives 429 with `Retry-After`.
struct ZipkinRoutes: HTTPIngestRoutes {
    let name = "zipkin"
    let wallClock: WallClock
    let sink: IngestSink

    func respond(to request: HTTPIngestRequest) -> HTTPIngestResponse {
        guard request.path == "/api/v2/spans" else {
            return .text(.notFound, "not found: meshtop's Zipkin receiver takes POST /api/v2/spans")
        }
        guard request.method == .POST else {
            return .text(.methodNotAllowed, "use POST", headers: [("Allow", "POST")])
        }
        let now = wallClock.micros()
        let decoded: Result<[Span], RejectReason>
        switch request.contentType {
        case "", "application/json", "text/plain":
            decoded = request.body.withUnsafeReadableBytes { bytes in
                JSONParser.parse(bytes, maxDepth: WireDecoder.maxJSONDepth)
            }.mapError { _ in RejectReason.json }.flatMap(ZipkinDecoder.decode)
        default:
            return .text(
                .unsupportedMediaType,
                "unsupported Content-Type \(request.contentType): send application/json (Zipkin v2 JSON)")
        }
        switch decoded {
        case .success(let spans):
            switch sink.submitRequest(
                receiver: name, records: spans.map(Decoded.span), rejects: [], receivedAtMicros: now,
                bytes: request.body.readableBytes)
            {
            case .stored: return HTTPIngestResponse(status: .accepted, contentType: nil)
            case .full:
                return .text(.tooManyRequests, "ingest queue full, retry later", headers: [("Retry-After", "1")])
            case .stopping: return .text(.serviceUnavailable, "collector stopping", headers: [("Retry-After", "5")])
            }
        case .failure(let reason):
            let sample =
                request.body.getBytes(
                    at: request.body.readerIndex, length: min(request.body.readableBytes, WireDecoder.maxSampleBytes))
                ?? []
            let reject = RejectedLine(
                atMicros: now, reason: reason, source: "zipkin from \(request.source)", sample: sample)
            _ = sink.submitRequest(
                receiver: name, records: [], rejects: [reject], receivedAtMicros: now, bytes: request.body.readableBytes
            )
            return .text(.badRequest, "not a Zipkin v2 JSON list of spans (\(reason.rawValue))")
        }
    }
}
