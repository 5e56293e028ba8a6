import DequeModule
import Foundation

/// The bounded hand-off between socket readers (many producers) and the one writer thread.
/// `offer` never blocks on the writer: when the queue already holds `capacity` lines the chunk's records are
/// dropped and counted, so a slow disk costs data, never socket reads.
final class IngestQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var chunks = Deque<IngestChunk>()
    private var queued = 0
    private var counts = QueueCounts()
    private var closed = false
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Enqueues a chunk, or drops its records when full (its datagram/denied/shed counts are kept either way).
    /// Returns whether the records were queued, and how many lines wait now.
    /// With `refuse`, a chunk that does not fit is handed back instead: neither its lines nor drops are counted
    /// (an HTTP or gRPC client is told to retry, and its lines are counted when they come back).
    @discardableResult
    func offer(_ chunk: IngestChunk, refuse: Bool = false) -> (accepted: Bool, depth: Int) {
        condition.lock()
        defer { condition.unlock() }
        let fits = !closed && queued + chunk.weight <= capacity
        let hasRecords = !(chunk.records.isEmpty && chunk.rejects.isEmpty)
        if refuse && hasRecords && !fits { return (false, queued) }
        for (name, n) in chunk.counters { counts.receivers[name, default: 0] += n }
        counts.datagrams += Int64(chunk.datagrams)
        counts.lines += Int64(chunk.lines)
        counts.denied += Int64(chunk.denied)
        counts.dropped += Int64(chunk.shed)
        if !hasRecords { return (true, queued) }
        if !fits {
            counts.dropped += Int64(chunk.lines - chunk.shed)
            return (false, queued)
        }
        queued += chunk.weight
        chunks.append(chunk)
        if queued >= wakeThreshold { condition.signal() }
        return (true, queued)
    }

    /// The writer is woken early once this many lines wait.
    var wakeThreshold = Int.max

    /// Waits until `minimum` lines are queued, the queue is closed, or `deadline` (monotonic µs) passes, then takes
    /// whole chunks up to `maximum` lines (at least one chunk); the rest stays queued for the next batch, so a
    /// backlog never turns into one huge transaction.
    func take(minimum: Int, maximum: Int = Int.max, deadline: Int64) -> (chunks: [IngestChunk], closed: Bool) {
        condition.lock()
        defer { condition.unlock() }
        wakeThreshold = minimum
        while queued < minimum && !closed {
            let now = MonotonicClock.micros()
            if now >= deadline { break }
            _ = condition.wait(until: Date(timeIntervalSinceNow: Double(deadline - now) / 1_000_000))
        }
        var out: [IngestChunk] = []
        var taken = 0
        while let first = chunks.first, out.isEmpty || taken + first.weight <= maximum {
            taken += first.weight
            out.append(chunks.removeFirst())
        }
        queued -= taken
        return (out, closed && chunks.isEmpty)
    }

    /// Reads and resets the counts kept by the queue.
    func drainCounts() -> QueueCounts {
        condition.lock()
        defer { condition.unlock() }
        let c = counts
        counts = QueueCounts()
        return c
    }

    /// Whether `lines` more lines would be queued now (the HTTP receivers answer 429 instead of decoding when not).
    func hasRoom(for lines: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return !closed && queued + lines <= capacity
    }

    /// Whether the queue was closed (the collector is stopping).
    var isClosed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }

    /// Lines currently waiting.
    var depth: Int {
        condition.lock()
        defer { condition.unlock() }
        return queued
    }

    /// No more records are accepted; the writer drains what is queued and stops.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
