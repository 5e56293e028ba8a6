import MeshtopModel
import MeshtopStore

/// What a listener hands to the writer after one read burst: the decoded records plus the counts that go with
/// them. Counts travel even when the records are dropped, so `received_datagrams` stays exact.
struct IngestChunk: Sendable {
    /// Spans, logs and metrics, in arrival order.
    var records: [Decoded] = []
    /// The JSON columns of the spans and logs in `records`, encoded on the event loop (`encodeJSON()`), so the
    /// writer only copies them.
    var spanAttributes = EncodedJSON()
    var spanEvents = EncodedJSON()
    var logAttributes = EncodedJSON()
    /// Rejected lines with where they came from (kept apart: they need their source for `--rejects`).
    var rejects: [RejectedLine] = []
    /// Metric samples' receive time: the flush interval they fall into.
    var receivedAtMicros: Int64 = 0
    var datagrams: Int = 0
    var lines: Int = 0
    var denied: Int = 0
    /// Per-receiver counters that travel with the chunk (`otlp_http.requests`, `zipkin.status_4xx`, …), kept
    /// whether or not the records are queued.
    var counters: [String: Int64] = [:]

    /// Bytes received for the records (datagram or request body sizes): the queue's second bound, so a flood of
    /// 64 KB lines cannot hold gigabytes the way a line count would let it.
    var bytes: Int = 0

    /// The unit the queue's capacity is counted in.
    var weight: Int { lines }
    var isEmpty: Bool { datagrams == 0 && denied == 0 && lines == 0 && counters.isEmpty }

    /// Encodes the JSON columns of every span and log in `records`, in order.
    mutating func encodeJSON() {
        for record in records {
            switch record {
            case .span(let span):
                spanAttributes.append(span.attributes)
                spanEvents.append(span.events)
            case .log(let log):
                logAttributes.append(log.attributes)
            case .metric, .rejected:
                break
            }
        }
    }
}

/// One rejected line as the writer stores it.
struct RejectedLine: Sendable {
    var atMicros: Int64
    var reason: RejectReason
    var source: String
    var sample: [UInt8]
}

/// Counts accumulated by the queue itself (under its lock), read and reset by the writer.
struct QueueCounts: Sendable {
    var datagrams: Int64 = 0
    var lines: Int64 = 0
    var denied: Int64 = 0
    var dropped: Int64 = 0
    /// Datagrams the kernel dropped on the collector's UDP sockets (receive buffer full while paused or busy).
    var kernelDropped: Int64 = 0
    /// Times a listener stopped reading because the queue was at its high watermark.
    var pauses: Int64 = 0
    var receivers: [String: Int64] = [:]
}
