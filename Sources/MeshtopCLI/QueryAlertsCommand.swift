import ArgumentParser
import MeshtopModel
import MeshtopQuery

/// `meshtop query alerts`: the active alerts (pending, firing, resolved in the last 15 minutes), or history.
public struct QueryAlertsCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Pending, firing and recently resolved alerts; --state filters, --history lists transitions.")

    @OptionGroup public var database: DatabaseOptions
    @OptionGroup public var output: OutputOptions

    @Option(help: "Only alerts in this state: pending, firing or resolved (every stored one).")
    public var state: String?
    @Flag(help: "List lifecycle transitions, newest first (default limit 100).") public var history = false
    @Option(
        name: .customLong("fail-on"),
        help: "Exit 1 when an alert matches, e.g. firing, pending, severity=page, value>0.1.")
    public var failOn: String?

    public init() {}

    static let columns = Records.alerts([]).columns

    public func validate() throws {
        _ = try output.outputFormat()
        _ = try parsedState()
        if history && failOn != nil { throw ValidationError("--fail-on applies to current alerts, not --history") }
        _ = try parsedFailOn()
    }

    func parsedState() throws -> AlertState? {
        guard let state else { return nil }
        guard let s = AlertState(rawValue: state), s != .inactive else {
            throw ValidationError("--state \(state): expected pending, firing or resolved")
        }
        return s
    }

    func parsedFailOn() throws -> FailOn? {
        try QueryRunner.parseFailOn(
            failOn, columns: Self.columns, shorthandField: "state",
            shorthandValues: AlertState.allCases.map(\.rawValue))
    }

    public func run() throws {
        let queries = try QueryRunner.open(database)
        let format = try output.outputFormat()
        let path = queries.reader.location
        if history {
            let rows = try QueryRunner.attempt(path) { try queries.alertHistory(limit: output.limit ?? 100) }
            return try QueryRunner.finish(Records.alertHistory(rows), format: format, failOn: nil)
        }
        let state = try parsedState()
        let rows = try QueryRunner.attempt(path) { try queries.alerts(state: state) }
        try QueryRunner.finish(Records.alerts(rows).prefix(output.limit), format: format, failOn: try parsedFailOn())
    }
}
