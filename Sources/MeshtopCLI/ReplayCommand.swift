import ArgumentParser
import MeshtopModel
import MeshtopQuery
import MeshtopStore

/// `meshtop replay`: re-runs governance with a rules file over the stored spans and logs of a window, in memory,
/// and prints what it would have produced beside what the collector recorded (docs/governance.md, "Replay").
public struct ReplayCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-run breakers, limits and alerts with a rules file over stored spans and logs (what if).",
        discussion: "Writes nothing. Metrics are not replayed: only flushed rollups are stored.")

    @OptionGroup public var database: DatabaseOptions

    @Option(help: "The rules file to replay with (the collector's, or a what-if).")
    public var rules: String

    @Option(help: "Window start: a duration ago (15m, 2h) or an RFC 3339 time (default 1h; not with --from).")
    public var since: String?

    @Option(help: "Window start as an RFC 3339 time or a duration ago (with --to).")
    public var from: String?

    @Option(help: "Window end (default: now).")
    public var to: String?

    @Option(help: "Output format: table or json (default: table on a terminal, else json).")
    public var format: String?

    public init() {}

    public func validate() throws {
        _ = try outputFormat()
        _ = try window(nowMicros: SystemClock.wallMicros())
    }

    func outputFormat() throws -> OutputFormat {
        var options = OutputOptions()
        options.format = format
        return try options.outputFormat(allowed: [.table, .json])
    }

    func window(nowMicros: Int64) throws -> TimeWindow {
        if since != nil, from != nil { throw ValidationError("give --since or --from, not both") }
        var options = OutputOptions()
        options.since = from ?? since ?? "1h"
        options.until = to
        return try options.window(nowMicros: nowMicros)
    }

    public func run() throws {
        let ruleSet = try RulesFile.load(rules)
        let window = try window(nowMicros: SystemClock.wallMicros())
        let format = try outputFormat()
        let path = database.resolvedPath
        let store = try StoreOpening.reader(path, timeout: nil)
        let result = try QueryRunner.attempt(path) { try ReplayRun(reader: store, rules: ruleSet).run(window: window) }
        QueryRunner.emit(ReplayRenderer.render(result, as: format))
    }
}
