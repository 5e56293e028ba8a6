import Foundation
import MeshtopGovernance
import MeshtopModel
import MeshtopQuery
import MeshtopStore

/// `meshtop bench query`: builds (or reuses) a database of N spans and N logs with the store's writer and
/// synthetic traffic (`StoreBenchmark.Generator`), plus per-minute service and edge rollups computed from those
/// spans, then times the query use cases against SPEC §7 (one trace < 5 ms, services over 15 min < 100 ms).
public enum QueryBenchmark {
    /// One timed use case.
    public struct Timing: Sendable {
        public var name: String
        public var runs: Int
        public var medianMillis: Double
        public var maxMillis: Double
        /// SPEC §7 target in ms, when it sets one.
        public var targetMillis: Double?
    }

    public struct Report: Sendable, CustomStringConvertible {
        public var path: String
        public var spans: Int64
        public var logs: Int64
        public var generateSeconds: Double
        public var timings: [Timing]

        public var description: String {
            func f(_ v: Double) -> String { String(format: "%.3f", v) }
            var out =
                "query benchmark on \(path): \(spans) spans, \(logs) logs"
                + (generateSeconds > 0 ? String(format: " (generated in %.1f s)", generateSeconds) : "") + "\n"
            for t in timings {
                let target = t.targetMillis.map { " target < \(f($0)) ms " + (t.medianMillis < $0 ? "ok" : "MISSED") }
                out +=
                    "  \(t.name): median \(f(t.medianMillis)) ms, max \(f(t.maxMillis)) ms over \(t.runs) runs"
                    + (target ?? "") + "\n"
            }
            return out
        }
    }

    /// Generates the database at `path` unless it already holds `spans` spans, then times the queries.
    public static func run(
        path: String, spans: Int = 5_000_000, logs: Int = 5_000_000, batchSize: Int = 50_000,
        progress: (String) -> Void = { _ in }
    ) throws -> Report {
        var generateSeconds = 0.0
        let existing = (try? MeshtopQueries.open(path: path))?.reader.rowCounts()["spans"] ?? 0
        if existing < Int64(spans) {
            let start = SystemClock.monotonicSeconds()
            let store = try MeshtopStore.open(path: path)
            try generate(into: store, spans: spans, logs: logs, batchSize: batchSize, progress: progress)
            generateSeconds = SystemClock.monotonicSeconds() - start
        }
        let q = try MeshtopQueries.open(path: path)
        let counts = q.reader.rowCounts()
        progress("timing queries")
        return Report(
            path: path, spans: counts["spans"] ?? 0, logs: counts["logs"] ?? 0, generateSeconds: generateSeconds,
            timings: try timings(q))
    }

    /// `ids`: trace ids (hex) to look up; nil samples 200 from the SQLite file.
    static func timings(_ q: MeshtopQueries, ids sampled: [String]? = nil) throws -> [Timing] {
        let latest = try q.latestEventMicros() ?? 0
        let window = TimeWindow(sinceMicros: latest - 15 * 60_000_000, untilMicros: latest + 1)
        var ids = sampled ?? []
        if sampled == nil {
            let maxRow = try q.sql("SELECT max(rowid) FROM spans").rows.first?.first
            guard case .integer(let rows)? = maxRow, rows > 0 else { return [] }
            for i in 0..<200 {
                let r = try q.sql("SELECT hex(trace_id) FROM spans WHERE rowid = \(1 + Int64(i) * (rows - 1) / 199)")
                if case .text(let hex)? = r.rows.first?.first { ids.append(hex.lowercased()) }
            }
        }
        guard !ids.isEmpty else { return [] }
        return [
            try time("trace by id (spans + attributes + logs)", runs: ids.count, target: 5) { i in
                _ = try q.trace(idOrPrefix: ids[i])
            },
            try time("trace by 12-digit prefix", runs: ids.count, target: 5) { i in
                _ = try q.trace(idOrPrefix: String(ids[i].prefix(12)))
            },
            try time("services over the last 15 min", runs: 20, target: 100) { _ in
                _ = try q.services(window: window)
            },
            try time("topology over the last 15 min", runs: 20, target: nil) { _ in
                _ = try q.topology(window: window)
            },
            try time("logs: FTS two words, newest 100", runs: 20, target: nil) { _ in
                _ = try q.logs(LogSearch(window: window, text: "connection refused"))
            },
            try time("logs: last 15 min, newest 100", runs: 20, target: nil) { _ in
                _ = try q.logs(LogSearch(window: window))
            },
            try time("logs: service, newest 100", runs: 20, target: nil) { _ in
                _ = try q.logs(LogSearch(window: window, service: "payments"))
            },
            try time("logs: service + severity ≤ error, newest 100", runs: 20, target: nil) { _ in
                _ = try q.logs(LogSearch(window: window, service: "payments", minSeverity: .error))
            },
            try time("traces: service, newest 20", runs: 20, target: nil) { _ in
                _ = try q.traces(TraceSearch(window: window, service: "payments"))
            },
            try time("traces: tag http.status_code=500, newest 20", runs: 5, target: nil) { _ in
                _ = try q.traces(TraceSearch(window: window, tags: [Attribute("http.status_code", .string("500"))]))
            },
        ]
    }

    static func time(_ name: String, runs: Int, target: Double?, _ body: (Int) throws -> Void) throws -> Timing {
        var samples: [Double] = []
        for i in 0..<max(runs, 1) {
            let start = SystemClock.monotonicSeconds()
            try body(i)
            samples.append((SystemClock.monotonicSeconds() - start) * 1000)
        }
        samples.sort()
        return Timing(
            name: name, runs: samples.count, medianMillis: samples[samples.count / 2], maxMillis: samples.last ?? 0,
            targetMillis: target)
    }

    /// Writes `spans` spans and `logs` logs in batches, then rollups of the spans' SERVER requests per service and
    /// per minute (and a day of earlier minutes, so the rollup tables have a realistic size).
    static func generate(
        into store: any StoreWriter, generator: StoreBenchmark.Generator = .init(), spans: Int, logs: Int,
        batchSize: Int, progress: (String) -> Void
    ) throws {
        var gen = generator
        var rollups: [String: (LatencyHistogram, ServiceRollup)] = [:]
        var written = 0
        while written < spans {
            let batch = gen.spans(min(batchSize, spans - written))
            for s in batch where s.kind == .server {
                let minute = s.startMicros / 60_000_000 * 60_000_000
                let key = "\(minute)|\(s.service)"
                var (h, r) =
                    rollups[key] ?? (
                        LatencyHistogram(),
                        ServiceRollup(
                            minuteMicros: minute, service: s.service, requests: 0, errors: 0, sumMicros: 0,
                            maxMicros: 0,
                            satisfied: 0, tolerating: 0, histogram: [])
                    )
                h.record(s.durationMicros)
                r.requests += 1
                r.errors += s.isError ? 1 : 0
                r.sumMicros += s.durationMicros
                r.maxMicros = max(r.maxMicros, s.durationMicros)
                r.satisfied += Apdex.zone(durationMicros: s.durationMicros, tMicros: 500_000) == 2 ? 1 : 0
                rollups[key] = (h, r)
            }
            try store.write(WriteBatch(spans: batch))
            written += batch.count
            if written % (batchSize * 20) < batchSize { progress("spans: \(written)") }
        }
        written = 0
        while written < logs {
            let n = min(batchSize, logs - written)
            try store.write(WriteBatch(logs: gen.logs(n)))
            written += n
            if written % (batchSize * 20) < batchSize { progress("logs: \(written)") }
        }
        var all: [ServiceRollup] = rollups.values.map { h, r in
            var r = r
            r.histogram = h.encode()
            return r
        }
        let first = all.map(\.minuteMicros).min() ?? 0
        let template = all.filter { $0.minuteMicros == first }
        for m in 1...1_440 {
            all += template.map { r in
                var r = r
                r.minuteMicros -= Int64(m) * 60_000_000
                return r
            }
        }
        try store.write(WriteBatch(serviceRollups: all))
        store.checkpoint()
    }

}
