import MeshtopModel

/// Where every receiver hands its decoded records: the bounded queue to the writer, and (for what the queue
/// accepted) governance's per-record ingest. The UDP handler submits one chunk per read burst, the HTTP and gRPC
/// receivers one per request.
final class IngestSink: Sendable {
    let queue: IngestQueue
    let governance: GovernanceFeed?
    let exporter: PrometheusExporter?

    init(queue: IngestQueue, governance: GovernanceFeed?, exporter: PrometheusExporter? = nil) {
        self.queue = queue
        self.governance = governance
        self.exporter = exporter
    }

    /// Encodes the chunk's JSON columns and offers it. Returns whether its records were queued, and the depth.
    /// With `refuse`, a chunk that does not fit is not counted as dropped (see `IngestQueue.offer`).
    @discardableResult
    func submit(_ chunk: inout IngestChunk, refuse: Bool = false) -> (accepted: Bool, depth: Int) {
        chunk.encodeJSON()
        let result = queue.offer(chunk, refuse: refuse)
        if result.accepted {
            governance?.ingestSpansAndLogs(chunk.records)
            exporter?.observe(chunk.records)
        }
        return result
    }

    /// Counts that go with no records (a request refused before decoding).
    func count(_ counters: [String: Int64]) {
        var chunk = IngestChunk()
        chunk.counters = counters
        queue.offer(chunk)
    }

    /// What became of one HTTP or gRPC request's records.
    enum Outcome: Equatable {
        case stored
        /// The queue is full: the client should retry later (HTTP 429, gRPC UNAVAILABLE).
        case full
        /// The collector is stopping (HTTP 503, gRPC UNAVAILABLE).
        case stopping
    }

    /// Submits one request's decoded records (and rejected items) as one chunk, counting `receiver.items` and
    /// `receiver.rejected` when it is stored; a request that does not fit is refused whole, never half-stored.
    func submitRequest(
        receiver: String, records: [Decoded], rejects: [RejectedLine], receivedAtMicros: Int64, bytes: Int
    ) -> Outcome {
        var chunk = IngestChunk()
        chunk.bytes = bytes
        chunk.records = records
        chunk.rejects = rejects
        chunk.receivedAtMicros = receivedAtMicros
        chunk.lines = records.count + rejects.count
        chunk.counters = ["\(receiver).items": Int64(records.count), "\(receiver).rejected": Int64(rejects.count)]
        if submit(&chunk, refuse: true).accepted { return .stored }
        return queue.isClosed ? .stopping : .full
    }
}
