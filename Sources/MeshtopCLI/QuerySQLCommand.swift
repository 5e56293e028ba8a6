import ArgumentParser
import MeshtopQuery

/// `meshtop query sql "SELECT …"`: one read-only statement over the schema of docs/storage.md.
public struct QuerySQLCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Run one read-only SQL statement (BLOB ids print as hex); writes are refused.",
        discussion: "A statement still running after --timeout is stopped: exit 5.")

    @OptionGroup public var database: DatabaseOptions
    @OptionGroup public var output: OutputOptions

    @Option(
        help: "Stop the statement after this long (e.g. 500ms, 30s, 2m); exit 5.",
        transform: DurationArgument.parser("--timeout", example: "500ms, 5s or 2m"))
    public var timeout = DurationArgument.literal(QueryTimeout.sqlDefault)

    @Argument(help: "The statement, e.g. \"SELECT service, count(*) FROM spans GROUP BY service\".")
    public var statement: String

    public init() {}

    public func validate() throws {
        _ = try output.outputFormat()
        _ = try timeoutSeconds()
    }

    func timeoutSeconds() throws -> Double {
        guard timeout.micros > 0 else {
            throw ValidationError("--timeout \(timeout): expected a positive duration such as 500ms, 5s or 2m")
        }
        return timeout.seconds
    }

    public func run() throws {
        let queries = try QueryRunner.open(database, timeout: try timeoutSeconds())
        let result = try QueryRunner.attempt(queries.reader.location) {
            try queries.sql(statement, limit: output.limit)
        }
        try QueryRunner.finish(Records.sql(result), format: try output.outputFormat(), failOn: nil)
    }
}
