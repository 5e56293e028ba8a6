import Foundation
import MeshtopModel
import MeshtopNet
import MeshtopOTLP

/// What the demo's OTLP/HTTP services send, as an OpenTelemetry SDK's OTLP/HTTP exporter does: protobuf export
/// requests POSTed to `/v1/traces` and `/v1/logs` over one kept-alive connection. Requests wait in a bounded queue
/// (oldest dropped when full) and go out in order; after 429, 502, 503 or 504 (OTLP's retryable answers) or no
/// connection at all, nothing more is sent before `Retry-After` (else one second) has passed, and the same request
/// goes first again. Other answers end the request (a 4xx is counted as refused).
///
/// Blocking: `flush` runs on the demo's pacing thread, which a loopback collector answers within milliseconds.
public final class OTLPHTTPExporter {
    let client: HTTPPostClient
    let capacity: Int
    let now: () -> UInt64
    private var queue: [(path: String, body: [UInt8], items: Int)] = []
    private var head = 0
    private var retryAtNanos: UInt64 = 0
    public private(set) var counts = OTLPExportCounts()

    /// `now` is a monotonic clock in nanoseconds (tests pass their own).
    public init(
        host: String, port: Int, capacity: Int = 256,
        now: @escaping () -> UInt64 = { DispatchTime.now().uptimeNanoseconds }
    ) {
        client = HTTPPostClient(host: host, port: port)
        self.capacity = max(capacity, 1)
        self.now = now
    }

    /// Queues the spans (one request per 512, the SDK's default batch) and sends what is due.
    public func export(spans: [Span]) {
        for chunk in spans.chunked(OTLPExportCounts.batch) {
            enqueue("/v1/traces", OTLPRequestEncoder.body(OTLPRequestEncoder.traces(chunk)), items: chunk.count)
        }
    }

    /// Queues the log records (one request per 512) and sends what is due.
    public func export(logs: [LogRecord]) {
        for chunk in logs.chunked(OTLPExportCounts.batch) {
            enqueue("/v1/logs", OTLPRequestEncoder.body(OTLPRequestEncoder.logs(chunk)), items: chunk.count)
        }
    }

    /// Requests waiting to be sent.
    public var queued: Int { queue.count - head }

    func enqueue(_ path: String, _ body: [UInt8], items: Int) {
        if queued >= capacity {
            counts.dropped += queue[head].items
            head += 1
        }
        queue.append((path, body, items))
    }

    /// Sends queued requests in order until the queue is empty or the collector asked to wait.
    public func flush() {
        while head < queue.count, now() >= retryAtNanos {
            let request = queue[head]
            do {
                let response = try client.post(
                    path: request.path, contentType: "application/x-protobuf", body: request.body)
                if response.isRetryable {
                    counts.retries += 1
                    backOff(seconds: response.retryAfterSeconds ?? 1)
                    break
                }
                if (200..<300).contains(response.status) {
                    counts.requests += 1
                    counts.items += request.items
                } else {
                    counts.refused += request.items
                }
                head += 1
            } catch {
                counts.failures += 1
                backOff(seconds: 1)
                break
            }
        }
        if head > 64 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
    }

    /// Closes the connection (the collector sees a client going away, not a connection cut at its shutdown).
    public func close() {
        client.disconnect()
    }

    private func backOff(seconds: Int) {
        retryAtNanos = now() + UInt64(min(max(seconds, 0), 30)) * 1_000_000_000
    }
}

/// What an OTLP exporter of the demo did so far.
public struct OTLPExportCounts: Sendable, Hashable {
    /// Export requests the collector accepted.
    public var requests = 0
    /// Spans and log records in those requests.
    public var items = 0
    /// Answers that asked to retry later (429/503, gRPC UNAVAILABLE/RESOURCE_EXHAUSTED).
    public var retries = 0
    /// Requests that got no answer (no connection, a timeout).
    public var failures = 0
    /// Items dropped because the queue of waiting requests was full.
    public var dropped = 0
    /// Items in requests the collector refused for good (4xx, INVALID_ARGUMENT).
    public var refused = 0

    /// Items per export request, OpenTelemetry's `OTEL_BSP_MAX_EXPORT_BATCH_SIZE` default.
    static let batch = 512

    public init() {}
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
