import Foundation
import MeshtopModel
import MeshtopQuery
import MeshtopStore

extension QueryBenchmark {
    /// A PostgreSQL database (docs/scaling.md) for `meshtop bench query --db postgresql://…`: the CLI opens it (this
    /// module never imports PostgreSQL code) and hands over how to write it and how to read it.
    public struct SharedDatabase {
        /// For the report: the URL without its password.
        public var location: String
        /// The writer the collector would use (one collector, no leader election needed).
        public var openWriter: () throws -> any StoreWriter
        /// A reader as `meshtop query` opens it.
        public var openReader: () throws -> any StoreReader
        /// Brings the planner's statistics up to date after the fill (`ANALYZE`), as autovacuum does on a live
        /// server; timed right after a bulk load, the planner would still see the partitions as nearly empty.
        public var analyze: () throws -> Void

        public init(
            location: String, openWriter: @escaping () throws -> any StoreWriter,
            openReader: @escaping () throws -> any StoreReader, analyze: @escaping () throws -> Void = {}
        ) {
            self.location = location
            self.openWriter = openWriter
            self.openReader = openReader
            self.analyze = analyze
        }
    }

    /// Like `run(path:…)` on PostgreSQL: fills the database through the PostgreSQL writer unless it already holds
    /// `spans` spans, then times the same query use cases in this process. Event times start an hour before now,
    /// so rows land in today's (or yesterday's) day partition as a live collector's would, not in the default one.
    public static func run(
        database: SharedDatabase, spans: Int = 5_000_000, logs: Int = 5_000_000, batchSize: Int = 50_000,
        progress: (String) -> Void = { _ in }
    ) throws -> Report {
        var generateSeconds = 0.0
        let existing = (try? database.openReader())?.rowCounts()["spans"] ?? 0
        if existing < Int64(spans) {
            let start = SystemClock.monotonicSeconds()
            let store = try database.openWriter()
            let generator = StoreBenchmark.Generator(
                seed: 42 &+ UInt64(existing), startMicros: SystemClock.wallMicros() - 3_600_000_000)
            try generate(
                into: store, generator: generator, spans: spans - Int(existing), logs: logs, batchSize: batchSize,
                progress: progress)
            generateSeconds = SystemClock.monotonicSeconds() - start
        }
        progress("analyze")
        try database.analyze()
        let q = MeshtopQueries(reader: try database.openReader())
        let counts = q.reader.rowCounts()
        progress("timing queries")
        // 200 trace ids spread over the whole table (a repeatable 0.01 % row sample).
        let sample = try q.sql(
            "SELECT encode(trace_id, 'hex') FROM spans TABLESAMPLE BERNOULLI (0.01) REPEATABLE (42) LIMIT 200")
        let ids = sample.rows.compactMap { row -> String? in
            if case .text(let hex)? = row.first { return hex }
            return nil
        }
        return Report(
            path: database.location, spans: counts["spans"] ?? 0, logs: counts["logs"] ?? 0,
            generateSeconds: generateSeconds, timings: try timings(q, ids: ids))
    }
}
