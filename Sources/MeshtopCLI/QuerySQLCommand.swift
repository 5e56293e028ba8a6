import ArgumentParser
import MeshtopQuery

/// `meshtop query sql "SELECT …"`: one read-only statement over the schema of docs/storage.md.
public struct QuerySQLCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Run one read-only SQL statement (BLOB ids print as hex); writes are refused.")

    @OptionGroup public var database: DatabaseOptions
    @OptionGroup public var output: OutputOptions

    @Argument(help: "The statement, e.g. \"SELECT service, count(*) FROM spans GROUP BY service\".")
    public var statement: String

    public init() {}

    public func validate() throws { _ = try output.outputFormat() }

    public func run() throws {
        let queries = QueryRunner.open(database)
        let result = QueryRunner.attempt(queries.store.path) { try queries.sql(statement, limit: output.limit) }
        try QueryRunner.finish(Records.sql(result), format: try output.outputFormat(), failOn: nil)
    }
}
