import DequeModule
import Foundation
import MeshtopModel

/// The bounded hand-off between socket readers (many producers) and the one writer thread.
/// `offer` never blocks on the writer: when the queue already holds `capacity` lines or `capacityBytes` received
/// bytes, the chunk's records are dropped and counted, so a slow disk costs data, never socket reads, and memory
/// stays bounded whatever the line sizes. An empty queue takes any one chunk.
///
/// Overload is shed before it costs CPU: once the queue is three quarters full (by lines or by bytes) the UDP
/// listeners stop reading their sockets (`pauseReading`) and the kernel drops what no longer fits in the receive
/// buffer (counted from `/proc/net/udp` as `dropped.kernel`); the writer wakes them when the queue is down to half.
final class IngestQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var chunks = Deque<IngestChunk>()
    private var queued = 0
    private var queuedBytes = 0
    /// Most bytes queued since the writer last asked (`takePeakBytes`), to return memory after a burst.
    private var peakBytes = 0
    private var counts = QueueCounts()
    private var closed = false
    /// Listeners that stopped reading; called (on the writer's thread, outside the lock) once the queue is down
    /// to `lowWater` lines and bytes, or closed.
    private var resumers: [@Sendable () -> Void] = []
    let capacity: Int
    let capacityBytes: Int
    /// Listeners stop reading at this depth (lines or bytes) and resume at `lowWater`.
    var highWater: Int { capacity - capacity / 4 }
    var highWaterBytes: Int { capacityBytes - capacityBytes / 4 }
    var lowWater: Int { capacity / 2 }
    var lowWaterBytes: Int { capacityBytes / 2 }
    /// Kernel receive-buffer drops of the collector's UDP sockets, polled by `drainCounts` (set once listening).
    var kernelDrops: KernelDropCounter?

    init(capacity: Int, capacityBytes: Int = Int.max) {
        self.capacity = max(1, capacity)
        self.capacityBytes = max(1, capacityBytes)
    }

    /// Whether a chunk fits now (under the lock).
    private func fits(_ chunk: IngestChunk) -> Bool {
        guard !closed else { return false }
        if queued == 0 { return true }
        return queued + chunk.weight <= capacity && queuedBytes + chunk.bytes <= capacityBytes
    }

    /// Enqueues a chunk, or drops its records when full (its datagram/denied counts are kept either way).
    /// Returns whether the records were queued, and how many lines wait now.
    /// With `refuse`, a chunk that does not fit is handed back instead: neither its lines nor drops are counted
    /// (an HTTP or gRPC client is told to retry, and its lines are counted when they come back).
    @discardableResult
    func offer(_ chunk: IngestChunk, refuse: Bool = false) -> (accepted: Bool, depth: Int) {
        condition.lock()
        defer { condition.unlock() }
        let fits = fits(chunk)
        let hasRecords = !(chunk.records.isEmpty && chunk.rejects.isEmpty)
        if refuse && hasRecords && !fits { return (false, queued) }
        for (name, n) in chunk.counters { counts.receivers[name, default: 0] += n }
        counts.datagrams += Int64(chunk.datagrams)
        counts.lines += Int64(chunk.lines)
        counts.denied += Int64(chunk.denied)
        if !hasRecords { return (true, queued) }
        if !fits {
            counts.dropped += Int64(chunk.lines)
            return (false, queued)
        }
        queued += chunk.weight
        queuedBytes += chunk.bytes
        peakBytes = max(peakBytes, queuedBytes)
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
        var wake: [@Sendable () -> Void] = []
        defer { for resume in wake { resume() } }
        condition.lock()
        defer { condition.unlock() }
        wakeThreshold = minimum
        while queued < minimum && !closed {
            let now = SystemClock.monotonicMicros()
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
        for chunk in out { queuedBytes -= chunk.bytes }
        if !resumers.isEmpty && ((queued <= lowWater && queuedBytes <= lowWaterBytes) || closed) {
            swap(&wake, &resumers)
        }
        return (out, closed && chunks.isEmpty)
    }

    /// Called by a UDP listener after handing over a read burst: when the queue is at its high watermark, keeps
    /// `resume` and returns true (the listener stops reading); `resume` is called once, from the writer's thread,
    /// when the queue has drained to its low watermark. Returns false (and forgets `resume`) otherwise.
    func pauseReading(resume: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed, queued >= highWater || queuedBytes >= highWaterBytes else { return false }
        resumers.append(resume)
        counts.pauses += 1
        return true
    }

    /// Listeners currently not reading.
    var pausedReaders: Int {
        condition.lock()
        defer { condition.unlock() }
        return resumers.count
    }

    /// Waits until the queue is closed or `deadline` (monotonic µs) passes, taking nothing. Returns whether closed.
    func waitUntilClosed(deadline: Int64) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !closed {
            let now = SystemClock.monotonicMicros()
            if now >= deadline { break }
            _ = condition.wait(until: Date(timeIntervalSinceNow: Double(deadline - now) / 1_000_000))
        }
        return closed
    }

    /// Reads and resets the counts kept by the queue, with the kernel drops since the last poll (at most once a
    /// second).
    func drainCounts() -> QueueCounts {
        condition.lock()
        var c = counts
        counts = QueueCounts()
        condition.unlock()
        c.kernelDropped = kernelDrops?.poll() ?? 0
        return c
    }

    /// Whether `lines` more lines would be queued now (the HTTP receivers answer 429 instead of decoding when not).
    func hasRoom(for lines: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return !closed && (queued == 0 || (queued + lines <= capacity && queuedBytes < capacityBytes))
    }

    /// The most bytes queued since the last call, and resets it to what is queued now.
    func takePeakBytes() -> Int {
        condition.lock()
        defer { condition.unlock() }
        defer { peakBytes = queuedBytes }
        return peakBytes
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
        let wake = resumers
        resumers = []
        condition.unlock()
        for resume in wake { resume() }
    }
}
