import ArgumentParser
import Foundation
import MeshtopModel
import MeshtopPostgres
import MeshtopQuery
import MeshtopStore

/// What every `query` subcommand does around its use case: open the database read-only, turn errors into the
/// documented exit codes (2 usage, 3 database), print, and apply `--fail-on` (exit 1).
enum QueryRunner {
    /// Opens the database read-only, each read bounded by `timeout` seconds when given; throws exit 3 with what
    /// to do when it is missing or unreadable.
    static func open(_ options: DatabaseOptions, timeout: Double? = nil) throws -> MeshtopQueries {
        try StoreOpening.queries(options.resolvedPath, timeout: timeout)
    }

    /// Runs a read; query errors become exit 2, database errors 3, a read past its time bound 5.
    static func attempt<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as QueryError {
            throw MeshtopError.usage(error.description)
        } catch let error as StoreError {
            if case .timedOut = error { throw MeshtopError(error.description, code: MeshtopExit.timeout) }
            throw MeshtopError.database(error.description)
        } catch {
            throw MeshtopError(describe(error, path: path), code: MeshtopExit.database)
        }
    }

    static func describe(_ error: Error, path: String) -> String {
        if let e = error as? StoreError { return e.description }
        if let e = error as? PostgresStoreError { return e.description }
        let path = StoreOpening.display(path)
        return "cannot read the meshtop database at \(path): \(error); start `meshtop collect` to create it, "
            + "or pass --db PATH"
    }

    /// Writes `text` to stdout as is and flushes (follow mode prints as rows arrive).
    static func emit(_ text: String) {
        guard !text.isEmpty else { return }
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Parses `--fail-on` for rows with these columns; a malformed expression is a usage error.
    static func parseFailOn(
        _ text: String?, columns: [String], shorthandField: String, shorthandValues: [String]
    ) throws -> FailOn? {
        guard let text else { return nil }
        do {
            return try FailOn.parse(
                text, fields: columns, shorthandField: shorthandField, shorthandValues: shorthandValues)
        } catch let error as QueryError {
            throw ValidationError(error.description)
        }
    }

    /// Prints `table` (sorted/limited by the caller) and exits 1 when `failOn` holds for a row.
    static func finish(_ table: OutputTable, format: OutputFormat, failOn: FailOn?) throws {
        emit(OutputRenderer.render(table, as: format))
        if let failOn, failOn.holds(in: table.records) { throw MeshtopError.conditionHeld }
    }

    /// `k=v` (or `k:v`) pairs from repeated `--tag` options.
    static func tags(_ values: [String]) throws -> [(String, String)] {
        try values.map { text in
            guard let i = text.firstIndex(where: { $0 == "=" || $0 == ":" }), i != text.startIndex else {
                throw ValidationError("--tag \(text): expected KEY=VALUE")
            }
            return (String(text[..<i]), String(text[text.index(after: i)...]))
        }
    }

    /// A `--min-duration`-style value in µs.
    static func duration(_ text: String?, flag: String) throws -> Int64? {
        guard let text else { return nil }
        guard let d = DurationText.parseMicros(text) else {
            throw ValidationError("\(flag) \(text): expected a duration such as 250ms, 1.5s or 2m")
        }
        return d
    }
}
