import ArgumentParser
import MeshtopModel
import MeshtopQuery

/// `meshtop query breakers`: circuit breakers per edge (simulated and reported), or their transitions.
public struct QueryBreakersCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "breakers",
        abstract: "Circuit breakers per edge with rates and would-reject counts; --history lists transitions.")

    @OptionGroup public var database: DatabaseOptions
    @OptionGroup public var output: OutputOptions

    @Flag(help: "List state transitions, newest first (default limit 100).") public var history = false
    @Option(help: "With --history: only this caller.") public var caller: String?
    @Option(help: "With --history: only this callee.") public var callee: String?
    @Option(
        name: .customLong("fail-on"),
        help: "Exit 1 when a breaker matches, e.g. open, half_open, failure_rate>=50, would_reject>0.")
    public var failOn: String?

    public init() {}

    static let columns = Records.breakers([]).columns

    public func validate() throws {
        _ = try output.outputFormat()
        if history && failOn != nil { throw ValidationError("--fail-on applies to current states, not --history") }
        _ = try parsedFailOn()
    }

    func parsedFailOn() throws -> FailOn? {
        try QueryRunner.parseFailOn(
            failOn, columns: Self.columns, shorthandField: "state",
            shorthandValues: BreakerState.allCases.map(\.rawValue))
    }

    public func run() throws {
        let queries = try QueryRunner.open(database)
        let format = try output.outputFormat()
        let path = queries.reader.location
        if history {
            let rows = try QueryRunner.attempt(path) {
                try queries.breakerHistory(caller: caller, callee: callee, limit: output.limit ?? 100)
            }
            return try QueryRunner.finish(Records.breakerHistory(rows), format: format, failOn: nil)
        }
        let rows = try QueryRunner.attempt(path) { try queries.breakers() }
        try QueryRunner.finish(Records.breakers(rows).prefix(output.limit), format: format, failOn: try parsedFailOn())
    }
}
