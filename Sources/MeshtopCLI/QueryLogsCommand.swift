import ArgumentParser
import Foundation
import MeshtopModel
import MeshtopQuery

/// `meshtop query logs`: log search, and `--follow` to keep printing new records.
public struct QueryLogsCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Logs in the window (the newest --limit, default 100, oldest first); --follow keeps printing.")

    @OptionGroup public var database: DatabaseOptions
    @OptionGroup public var output: OutputOptions

    @Option(help: "Only this service.") public var service: String?
    @Option(
        name: .customLong("min-severity"),
        help: "This severity or worse: emerg alert crit error warn notice info debug.")
    public var minSeverity: String?
    @Option(help: "Full-text search: every word must occur in the message.") public var grep: String?
    @Option(help: "Only records carrying this trace id (hex).") public var trace: String?
    @Flag(help: "Keep printing new records as they are stored (json becomes jsonl).") public var follow = false

    public init() {}

    /// How often follow mode polls for new rows.
    static let pollMicros: UInt32 = 500_000

    public func validate() throws {
        _ = try output.outputFormat()
        _ = try search(window: TimeWindow(sinceMicros: 0, untilMicros: 1))
    }

    func search(window: TimeWindow) throws -> LogSearch {
        var severity: Severity?
        if let minSeverity {
            guard let s = Severity(name: minSeverity) else {
                throw ValidationError(
                    "--min-severity \(minSeverity): expected emerg, alert, crit, error, warn, "
                        + "notice, info or debug")
            }
            severity = s
        }
        var traceID: TraceID?
        if let trace {
            guard let id = TraceID(hex: trace) else {
                throw ValidationError("--trace \(trace): expected a trace id of up to 32 hex digits")
            }
            traceID = id
        }
        return LogSearch(
            window: window, service: service, minSeverity: severity, text: grep, traceID: traceID,
            limit: output.limit ?? 100)
    }

    public func run() throws {
        let queries = try QueryRunner.open(database)
        var format = try output.outputFormat()
        let now = SystemClock.wallMicros()
        var s = try search(window: try output.window(nowMicros: now))
        let rows = try QueryRunner.attempt(queries.reader.location) { try queries.logs(s) }
        guard follow else {
            return try QueryRunner.finish(Records.logs(rows), format: format, failOn: nil)
        }
        if format == .json { format = .jsonl }
        var table = Records.logs(rows)
        QueryRunner.emit(OutputRenderer.render(table, as: format))
        var lastID =
            try rows.map(\.id).max()
            ?? QueryRunner.attempt(queries.reader.location) {
                try queries.sql("SELECT coalesce(max(id), 0) FROM logs").rows.first?.first.flatMap {
                    if case .integer(let i) = $0 { return i }
                    return nil
                } ?? 0
            }
        s.window.untilMicros = Int64.max
        s.limit = 1_000
        while true {
            usleep(Self.pollMicros)
            s.afterID = lastID
            let new = try QueryRunner.attempt(queries.reader.location) { try queries.logs(s) }
            guard let last = new.last else { continue }
            lastID = last.id
            table = Records.logs(new)
            var text = OutputRenderer.render(table, as: format)
            if format == .table || format == .csv { text = String(text.drop { $0 != "\n" }.dropFirst()) }
            QueryRunner.emit(text)
        }
    }
}
