import Foundation
import MeshtopModel
import MeshtopStore

/// Store insert and query benchmark (`meshtop bench store`): writes synthetic spans, logs and a 40/40/20 mixed
/// stream to a database file in batches, timing only the `write` calls, then times the reads the console and
/// queries depend on. Never run from unit tests.
public enum StoreBenchmark {
    /// One insert phase.
    public struct Phase: Sendable {
        /// `spans`, `logs` or `mixed`.
        public var name: String
        public var rows: Int
        /// Wall time inside `write` calls.
        public var seconds: Double
        /// Rate over the phase's last quarter, when the indexes are largest.
        public var tailRowsPerSecond: Double
        /// CPU time the writing thread used (wall time also counts waiting for I/O and other processes).
        public var cpuSeconds: Double = 0
        /// Time spent runnable but waiting for a CPU (other processes); the rest of wall − CPU is I/O wait.
        public var runQueueSeconds: Double = 0
        /// The slowest single batch (wall), which sizes the collector's queue.
        public var maxBatchSeconds: Double = 0
        public var rowsPerSecond: Double { seconds > 0 ? Double(rows) / seconds : 0 }
        public var rowsPerCPUSecond: Double { cpuSeconds > 0 ? Double(rows) / cpuSeconds : 0 }
    }

    /// One timed read.
    public struct Query: Sendable {
        /// What was read.
        public var name: String
        public var runs: Int
        public var meanMillis: Double
        public var maxMillis: Double
    }

    /// What `run` measured.
    public struct Report: Sendable, CustomStringConvertible {
        public var path: String
        public var batchSize: Int
        public var phases: [Phase] = []
        public var queries: [Query] = []
        /// Pruning the older half of the raw data, when measured.
        public var prune: PruneResult?
        public var pruneSeconds: Double = 0
        public var databaseBytes: Int64 = 0
        public var rowCounts: [String: Int64] = [:]

        public var description: String {
            func f(_ v: Double, _ digits: Int = 0) -> String { String(format: "%.\(digits)f", v) }
            var lines = ["store benchmark: \(path), batch \(batchSize) rows"]
            for p in phases {
                lines.append(
                    "  insert \(p.name): \(p.rows) rows in \(f(p.seconds, 2)) s = \(f(p.rowsPerSecond)) rows/s"
                        + " (last quarter \(f(p.tailRowsPerSecond)) rows/s; \(f(p.rowsPerCPUSecond)) rows per CPU-s; "
                        + "waited \(f(p.runQueueSeconds, 1)) s for a CPU; "
                        + "slowest batch \(f(p.maxBatchSeconds * 1000)) ms)")
            }
            for q in queries {
                lines.append(
                    "  query \(q.name): mean \(f(q.meanMillis, 3)) ms, max \(f(q.maxMillis, 3)) ms (\(q.runs) runs)")
            }
            if let p = prune {
                lines.append(
                    "  prune older half: \(p.totalDeleted) rows in \(f(pruneSeconds, 2)) s, \(p.transactions) "
                        + "transactions, longest write lock \(f(p.longestLockMillis, 1)) ms "
                        + "(own time \(f(p.longestOwnMillis, 1)) ms, \(p.slowestTable ?? "-"))")
            }
            lines.append(
                "  database \(databaseBytes / 1_048_576) MiB; spans \(rowCounts["spans"] ?? 0), "
                    + "logs \(rowCounts["logs"] ?? 0)")
            return lines.joined(separator: "\n")
        }
    }

    /// Inserts `spans` spans, then `logs` logs, then `mixed` lines (40 % spans, 40 % logs, 20 % metrics: the
    /// metric lines arrive as rollups, as the collector aggregates them) into the database at `path`
    /// (created if missing; reuse one to measure a large database), `batchSize` lines per transaction.
    public static func run(
        path: String, spans: Int, logs: Int, batchSize: Int, mixed: Int = 0, seed: UInt64 = 42,
        queries runQueries: Bool = true, prune runPrune: Bool = true
    ) throws -> Report {
        let store = try MeshtopStore.open(path: path)
        let existing = store.rowCounts()
        var gen = Generator(
            seed: seed &+ UInt64(existing["spans"] ?? 0),
            startMicros: 1_790_000_000_000_000 + Int64((existing["spans"] ?? 0) + (existing["logs"] ?? 0)) * 16)
        var report = Report(path: path, batchSize: batchSize)
        report.phases.append(try phase("spans", total: spans, batchSize, store) { WriteBatch(spans: gen.spans($0)) })
        report.phases.append(try phase("logs", total: logs, batchSize, store) { WriteBatch(logs: gen.logs($0)) })
        report.phases.append(
            try phase("mixed", total: mixed, batchSize, store) { n in
                let minute = gen.clockMicros / 60_000_000 * 60_000_000
                return WriteBatch(
                    spans: gen.spans(n * 2 / 5), logs: gen.logs(n * 2 / 5), metricRollups: gen.metricRollups(n / 500),
                    serviceRollups: Generator.services.map {
                        ServiceRollup(
                            minuteMicros: minute, service: $0, requests: 100, errors: 1, sumMicros: 5_000_000,
                            maxMicros: 90_000, satisfied: 95, tolerating: 4, histogram: [1, 2, 3])
                    },
                    counterDeltas: ["lines": Int64(n)])
            })
        if runQueries { report.queries = try queries(store, traceIDs: gen.sampledTraceIDs, now: gen.clockMicros) }
        if runPrune {
            let bounds = try store.sql("SELECT min(start_us), max(start_us) FROM spans", limit: 1).rows.first
            if case .integer(let lo)? = bounds?.first, case .integer(let hi)? = bounds?.last {
                let start = SystemClock.monotonicSeconds()
                report.prune = try store.prune(rawOlderThan: lo + (hi - lo) / 2, rollupsOlderThan: 0)
                report.pruneSeconds = SystemClock.monotonicSeconds() - start
            }
        }
        store.checkpoint()
        report.databaseBytes = store.databaseBytes()
        report.rowCounts = store.rowCounts()
        return report
    }

    private static func phase(
        _ name: String, total: Int, _ batchSize: Int, _ store: MeshtopStore, _ make: (Int) -> WriteBatch
    ) throws -> Phase {
        var result = Phase(name: name, rows: 0, seconds: 0, tailRowsPerSecond: 0)
        guard total > 0 else { return result }
        var tailRows = 0
        var tailSeconds = 0.0
        while result.rows < total {
            let n = min(batchSize, total - result.rows)
            let batch = make(n)
            let start = SystemClock.monotonicSeconds()
            let cpuStart = SystemClock.threadCPUSeconds()
            let queueStart = RunQueueTime.threadSeconds()
            try store.write(batch)
            let elapsed = SystemClock.monotonicSeconds() - start
            result.cpuSeconds += SystemClock.threadCPUSeconds() - cpuStart
            result.runQueueSeconds += RunQueueTime.threadSeconds() - queueStart
            result.rows += n
            result.seconds += elapsed
            result.maxBatchSeconds = max(result.maxBatchSeconds, elapsed)
            if result.rows > total * 3 / 4 {
                tailRows += n
                tailSeconds += elapsed
            }
        }
        result.tailRowsPerSecond = tailSeconds > 0 ? Double(tailRows) / tailSeconds : 0
        return result
    }
}
