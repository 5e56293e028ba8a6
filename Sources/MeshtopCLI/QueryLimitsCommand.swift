import ArgumentParser
import MeshtopModel
import MeshtopQuery

/// `meshtop query limits`: what the rules file's flow rules (Sentinel semantics) would have passed, blocked and
/// queued over the window.
public struct QueryLimitsCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "limits",
        abstract: "Flow rules (rate limits): calls passed, blocked and queued per rule and service or edge.")

    @OptionGroup public var database: DatabaseOptions
    @OptionGroup public var output: OutputOptions

    @Option(name: .customLong("fail-on"), help: "Exit 1 when a row matches, e.g. blocked>0, blocked_rate>0.1.")
    public var failOn: String?

    public init() {}

    static let columns = Records.limits([]).columns

    public func validate() throws {
        _ = try output.outputFormat()
        _ = try parsedFailOn()
    }

    func parsedFailOn() throws -> FailOn? {
        try QueryRunner.parseFailOn(failOn, columns: Self.columns, shorthandField: "rule", shorthandValues: [])
    }

    public func run() throws {
        let queries = try QueryRunner.open(database)
        let window = try output.window(nowMicros: SystemClock.wallMicros())
        let rows = try QueryRunner.attempt(queries.reader.location) { try queries.limits(window: window) }
        let format = try output.outputFormat()
        try QueryRunner.finish(Records.limits(rows).prefix(output.limit), format: format, failOn: try parsedFailOn())
    }
}
