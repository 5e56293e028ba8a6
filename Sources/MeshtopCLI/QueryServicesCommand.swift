import ArgumentParser
import MeshtopGovernance
import MeshtopModel
import MeshtopQuery

/// `meshtop query services`: RED and health per service over the window.
public struct QueryServicesCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "services",
        abstract: "Requests, errors, rate, latency percentiles, Apdex and health per service.")

    @OptionGroup public var database: DatabaseOptions
    @OptionGroup public var output: OutputOptions

    @Option(help: "Sort by a column (numbers largest first): requests, error_rate, rps, p99_ms, health, …")
    public var sort: String?

    @Option(
        name: .customLong("fail-on"),
        help: "Exit 1 when a service matches, e.g. failing, degraded, health=failing, error_rate>0.05, p99_ms>500.")
    public var failOn: String?

    @Option(
        help: ArgumentHelp(
            "Judge health with this rules file's thresholds instead of the collector's (a what-if).",
            valueName: "FILE"))
    public var rules: String?

    public init() {}

    static let columns = Records.services([]).columns

    public func validate() throws {
        _ = try output.outputFormat()
        if let sort, !Self.columns.contains(sort) {
            throw ValidationError("--sort \(sort): expected one of " + Self.columns.joined(separator: ", "))
        }
        _ = try parsedFailOn()
    }

    func parsedFailOn() throws -> FailOn? {
        try QueryRunner.parseFailOn(
            failOn, columns: Self.columns, shorthandField: "health",
            shorthandValues: HealthState.allCases.map(\.rawValue))
    }

    public func run() throws {
        let queries = try QueryRunner.open(database)
        let window = try output.window(nowMicros: SystemClock.wallMicros())
        let whatIf = try rules.map { try RulesFile.load($0) }
        let rows = try QueryRunner.attempt(queries.reader.location) {
            try queries.services(window: window, whatIf: whatIf)
        }
        var table = Records.services(rows)
        if let sort { table = table.sorted(by: sort) }
        let format = try output.outputFormat()
        try QueryRunner.finish(table.prefix(output.limit), format: format, failOn: try parsedFailOn())
    }
}
