import ArgumentParser
import Foundation
import MeshtopModel
import MeshtopQuery

/// `meshtop query stats`: the collector's self-metrics, table sizes and last rejected lines.
public struct QueryStatsCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Collector counters (received, parsed, rejected by reason, dropped), rows per table, db size.")

    @OptionGroup public var db: DatabaseOptions

    @Option(help: "table or json (default: table on a terminal, else json).")
    public var format: String?

    @Flag(help: "Also list the last rejected lines (time, reason, source, escaped sample).")
    public var rejects = false

    public init() {}

    public func validate() throws {
        if let f = format, f != "table" && f != "json" {
            throw ValidationError("--format \(f): expected table or json")
        }
    }

    public func run() throws {
        let queries = try QueryRunner.open(db)
        let stats = try QueryRunner.attempt(queries.reader.location) {
            try queries.stats(nowMicros: SystemClock.wallMicros(), rejects: rejects)
        }
        let useJSON = format == "json" || (format == nil && isatty(1) == 0)
        print(useJSON ? JSONRenderer.encode(stats.record) : stats.lines)
    }
}
