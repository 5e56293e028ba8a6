import MeshtopModel

/// The collector's own counters and gauges (SPEC §2), accumulated by the writer and persisted as deltas.
/// Counter names: `received_datagrams`, `lines`, `parsed.spans`, `parsed.logs`, `parsed.metrics`,
/// `rejected.<reason>`, `dropped` (lines dropped at the full queue plus datagrams the kernel dropped),
/// `dropped.kernel` (the kernel's part, receive-buffer overflows of our UDP sockets), `read_pauses` (times a UDP
/// listener stopped reading at the queue's high watermark), `batches`, `denied`.
/// Gauges: `started_us`, `last_write_us`, `lines_per_s`,
/// `write_p99_ms`, `queue_depth`, `log_index_lag`, `pid`.
struct SelfMetrics {
    /// Deltas not yet persisted.
    private(set) var deltas: [String: Int64] = [:]
    /// Lines since the rate was last computed.
    private var linesSinceRate: Int64 = 0
    private var rateSinceMicros: Int64
    private var lastRate: Double = 0
    /// Recent write durations (µs) for the p99 gauge.
    private var writeDurations: [Int64] = []
    private var writeCursor = 0
    private let keptDurations = 256
    /// Totals since start, for tests and `Collector.statistics`.
    private(set) var totals: [String: Int64] = [:]

    init(nowMonotonic: Int64) {
        rateSinceMicros = nowMonotonic
    }

    mutating func add(_ name: String, _ n: Int64) {
        guard n != 0 else { return }
        deltas[name, default: 0] += n
        totals[name, default: 0] += n
        if name == "lines" { linesSinceRate += n }
    }

    mutating func add(queue c: QueueCounts) {
        add("received_datagrams", c.datagrams)
        add("lines", c.lines)
        add("denied", c.denied)
        add("dropped", c.dropped + c.kernelDropped)
        add("dropped.kernel", c.kernelDropped)
        add("read_pauses", c.pauses)
        for (name, n) in c.receivers { add(name, n) }
    }

    mutating func recordWrite(durationMicros: Int64) {
        if writeDurations.count < keptDurations {
            writeDurations.append(durationMicros)
        } else {
            writeDurations[writeCursor] = durationMicros
            writeCursor = (writeCursor + 1) % keptDurations
        }
    }

    /// Puts back deltas taken for a write that failed, so they are written with the next one.
    mutating func restore(_ taken: [String: Int64]) {
        for (name, n) in taken { deltas[name, default: 0] += n }
    }

    /// Counts that were written directly in a batch (the `parsed.*` of its records): totals only.
    mutating func committed(_ counts: [String: Int64]) {
        for (name, n) in counts where n != 0 { totals[name, default: 0] += n }
    }

    /// p99 of the recent commit durations (µs), 0 before the first commit.
    var writeP99Micros: Int64 {
        guard !writeDurations.isEmpty else { return 0 }
        let sorted = writeDurations.sorted()
        let idx = min(sorted.count - 1, Int((Double(sorted.count) * 0.99).rounded(.up)) - 1)
        return sorted[max(0, idx)]
    }

    /// Takes the pending counter deltas.
    mutating func takeDeltas() -> [String: Int64] {
        defer { deltas.removeAll(keepingCapacity: true) }
        return deltas
    }

    /// The gauges as of now. `lines_per_s` is measured since the previous call.
    mutating func gauges(
        nowMonotonic: Int64, nowWall: Int64, lastWriteWall: Int64, queueDepth: Int, logIndexLag: Int64, pid: Int
    ) -> [String: Double] {
        let elapsed = nowMonotonic - rateSinceMicros
        if elapsed >= 500_000 {
            lastRate = Double(linesSinceRate) * 1_000_000 / Double(elapsed)
            linesSinceRate = 0
            rateSinceMicros = nowMonotonic
        }
        let p99 = Double(writeP99Micros) / 1_000
        return [
            "last_write_us": Double(lastWriteWall), "lines_per_s": lastRate.rounded(), "write_p99_ms": p99,
            "queue_depth": Double(queueDepth), "log_index_lag": Double(logIndexLag), "pid": Double(pid),
        ]
    }
}
