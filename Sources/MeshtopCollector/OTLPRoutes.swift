import Foundation
import MeshtopModel
import MeshtopOTLP
import NIOCore
import NIOHTTP1

/// The cumulative → delta state for OTLP metrics, shared by the HTTP and gRPC receivers (an SDK may switch).
/// A request's metric points are converted under the lock and the state is rolled back when the request is refused
/// (queue full), so the retried request yields the same deltas instead of zeros.
final class OTLPMetricState: @unchecked Sendable {
    private let lock = NSLock()
    private var state: CumulativeToDelta

    init(startedAtNanos: UInt64) {
        state = CumulativeToDelta(startedAtNanos: startedAtNanos)
    }

    /// Decodes with the state, submits, and keeps the new state only when the records were stored.
    func withState(
        _ body: (inout CumulativeToDelta) throws -> (OTLPDecoded, IngestSink.Outcome)
    ) rethrows -> (OTLPDecoded, IngestSink.Outcome) {
        lock.lock()
        defer { lock.unlock() }
        var working = state
        let result = try body(&working)
        if result.1 == .stored { state = working }
        return result
    }
}

/// What the HTTP and gRPC OTLP receivers share: decode → submit → outcome, with rejected items kept as rejects.
struct OTLPIngest: Sendable {
    let receiver: String
    let sink: IngestSink
    let metrics: OTLPMetricState
    let wallClock: WallClock

    /// Decodes one request body and submits its records; throws `OTLPDecodeError` for an undecodable body.
    /// `bytes` is the request's size when known (HTTP), else nil: estimated from the items.
    func ingest(
        _ signal: OTLPSignal, source: String, bytes: Int?,
        decode: (inout CumulativeToDelta, Int64) throws -> OTLPDecoded
    ) throws -> (OTLPDecoded, IngestSink.Outcome) {
        let now = wallClock.micros()
        let submit = { (decoded: OTLPDecoded) -> IngestSink.Outcome in
            var rejects: [RejectedLine] = []
            for (reason, n) in decoded.rejectReasons.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                let sample = Array((decoded.message ?? reason.rawValue).utf8.prefix(512))
                for _ in 0..<min(n, 16) {
                    rejects.append(
                        RejectedLine(
                            atMicros: now, reason: reason, source: "\(receiver) from \(source)",
                            sample: sample))
                }
            }
            return sink.submitRequest(
                receiver: receiver, records: decoded.records, rejects: rejects, receivedAtMicros: now,
                bytes: bytes ?? 256 * decoded.records.count)
        }
        if signal == .metrics {
            return try metrics.withState { state in
                let decoded = try decode(&state, now)
                return (decoded, submit(decoded))
            }
        }
        var unused = CumulativeToDelta()
        let decoded = try decode(&unused, now)
        return (decoded, submit(decoded))
    }
}

/// OTLP/HTTP (opentelemetry-proto `docs/specification.md`): `POST /v1/traces`, `/v1/logs`, `/v1/metrics` with
/// `application/x-protobuf` or `application/json`. 200 with the `Export…ServiceResponse` in the request's
/// encoding (and `partial_success` when items were rejected); 400 with a `google.rpc.Status` for an undecodable
/// body; 404, 405, 415; 429 with `Retry-After` when the ingest queue is full and 503 while stopping — both
/// retryable for OTLP exporters, so a burst delays data instead of losing it.
struct OTLPRoutes: HTTPIngestRoutes {
    let name = "otlp_http"
    let ingest: OTLPIngest

    func respond(to request: HTTPIngestRequest) -> HTTPIngestResponse {
        let signal: OTLPSignal
        switch request.path {
        case "/v1/traces": signal = .traces
        case "/v1/logs": signal = .logs
        case "/v1/metrics": signal = .metrics
        default:
            return .text(.notFound, "not found: OTLP/HTTP takes POST /v1/traces, /v1/logs and /v1/metrics")
        }
        guard request.method == .POST else {
            return .text(.methodNotAllowed, "use POST", headers: [("Allow", "POST")])
        }
        let encoding: OTLPEncoding
        switch request.contentType {
        case "application/x-protobuf", "application/protobuf": encoding = .protobuf
        case "application/json": encoding = .json
        default:
            return .text(
                .unsupportedMediaType,
                "unsupported Content-Type '\(request.contentType)': send application/x-protobuf or application/json")
        }
        let contentType = encoding == .json ? "application/json" : "application/x-protobuf"
        guard ingest.sink.queue.hasRoom(for: 1) else { return Self.retry(ingest.sink, contentType, encoding) }
        let body = request.body.getBytes(at: request.body.readerIndex, length: request.body.readableBytes) ?? []
        do {
            let (decoded, outcome) = try ingest.ingest(signal, source: request.source, bytes: body.count) {
                state, now in
                try OTLPRequestDecoder.decode(
                    signal, body: body, encoding: encoding, receivedAtMicros: now, cumulative: &state)
            }
            switch outcome {
            case .stored:
                return HTTPIngestResponse(
                    status: .ok, contentType: contentType,
                    body: OTLPResponse.success(
                        signal, rejected: decoded.rejected, message: decoded.message, encoding: encoding))
            case .full, .stopping:
                return Self.retry(ingest.sink, contentType, encoding)
            }
        } catch {
            return HTTPIngestResponse(
                status: .badRequest, contentType: contentType,
                body: OTLPResponse.status(code: 3, message: "undecodable OTLP request: \(error)", encoding: encoding))
        }
    }

    /// 429 (queue full) or 503 (stopping), with `Retry-After` and a `google.rpc.Status` (code 14 UNAVAILABLE).
    static func retry(_ sink: IngestSink, _ contentType: String, _ encoding: OTLPEncoding) -> HTTPIngestResponse {
        let stopping = sink.queue.isClosed
        return HTTPIngestResponse(
            status: stopping ? .serviceUnavailable : .tooManyRequests, contentType: contentType,
            body: OTLPResponse.status(
                code: 14, message: stopping ? "collector stopping" : "ingest queue full, retry later",
                encoding: encoding),
            headers: [("Retry-After", stopping ? "5" : "1")])
    }
}
