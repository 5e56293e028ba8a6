import ArgumentParser
import Foundation
import MeshtopBench
import MeshtopConsole
import MeshtopGovernance

/// `meshtop bench store`: SQLite insert rates (spans, logs, mixed) and prune lock times on a file database.
struct BenchStoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "SQLite insert throughput for spans, logs and a mixed stream.")

    @Option(help: "Database file to create (default: a temporary file, removed afterwards).")
    var db: String?
    @Option(help: "Spans to insert.") var spans = 500_000
    @Option(help: "Logs to insert.") var logs = 500_000
    @Option(help: "Mixed records (40 % spans, 40 % logs, 20 % metric rollups) to insert.") var mixed = 500_000
    @Option(help: "Records per transaction.") var batch = 5_000

    func run() throws {
        let scratch = db == nil ? try Self.scratchDirectory("store") : nil
        defer { if let scratch { try? FileManager.default.removeItem(atPath: scratch) } }
        let path = db ?? scratch! + "/bench.db"
        print(try StoreBenchmark.run(path: path, spans: spans, logs: logs, batchSize: batch, mixed: mixed))
    }

    /// A new directory for a benchmark's database and every file SQLite and meshtop put beside it (`-wal`, `-shm`,
    /// `.lock`, the full-text index `-fts` and its own `-wal`/`-shm`), removed as a whole afterwards.
    static func scratchDirectory(_ name: String) throws -> String {
        let dir = NSTemporaryDirectory() + "meshtop-bench-\(name)-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// `meshtop bench decode`: decoder CPU per line, per format, in process.
struct BenchDecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decoder CPU per line (syslog, StatsD, JSON, logfmt), without sockets or SQLite.")

    @Option(help: "Lines decoded per format and round.") var lines = 1_000_000
    @Option(help: "Rounds; the median is reported.") var rounds = 5

    func run() throws {
        print(DecodeBenchmark.run(lines: lines, rounds: rounds))
    }
}

/// `meshtop bench governance`: evaluation time per tick at scale.
struct BenchGovernanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "governance", abstract: "Governance ingest cost and evaluation time per tick.")

    @Option(help: "Services.") var services = 200
    @Option(help: "Caller → callee edges.") var edges = 1_000
    @Option(help: "StatsD series.") var series = 10_000
    @Option(help: "Calls fed per round.") var calls = 200_000

    func run() throws {
        print(GovernanceBenchmark.run(services: services, edges: edges, metricSeries: series, calls: calls))
    }
}

/// `meshtop bench query`: query times on a generated database (SPEC §7: 5,000,000 spans and logs).
struct BenchQueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query", abstract: "Query times on a generated database of spans and logs.")

    @Option(
        help:
            "Database file to create, or a postgresql:// URL (filled through the PostgreSQL writer, kept) (default: a temporary file, removed afterwards)."
    )
    var db: String?
    @Option(help: "Spans to generate.") var spans = 5_000_000
    @Option(help: "Logs to generate.") var logs = 5_000_000

    func run() throws {
        if let db, let database = try Self.postgres(db) {
            print(
                try QueryBenchmark.run(database: database, spans: spans, logs: logs) {
                    FileHandle.standardError.write(Data(($0 + "\n").utf8))
                })
            return
        }
        let scratch = db == nil ? try BenchStoreCommand.scratchDirectory("query") : nil
        defer { if let scratch { try? FileManager.default.removeItem(atPath: scratch) } }
        let path = db ?? scratch! + "/bench.db"
        let report = try QueryBenchmark.run(path: path, spans: spans, logs: logs) {
            FileHandle.standardError.write(Data(($0 + "\n").utf8))
        }
        print(report)
    }
}

/// `meshtop bench console`: update + view + screen diff time per frame on a large dataset.
struct BenchConsoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console", abstract: "Console frame time (update + view + diff) on a large dataset.")

    @Option(help: "Terminal rows.") var rows = 60
    @Option(help: "Terminal columns.") var cols = 200
    @Option(help: "Dataset scale factor.") var scale = 50
    @Option(help: "Frames to time.") var frames = 50

    func run() throws {
        let result = ConsoleBenchmark.run(rows: rows, cols: cols, scale: scale, frames: frames) {
            Double(DispatchTime.now().uptimeNanoseconds) / 1e9
        }
        print(result)
    }
}
