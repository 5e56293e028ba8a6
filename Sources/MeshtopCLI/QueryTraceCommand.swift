import ArgumentParser
import MeshtopModel
import MeshtopQuery

/// `meshtop query trace ID`: one trace by id or unique prefix.
public struct QueryTraceCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "One trace by id or unique hex prefix: a waterfall (tree) on a terminal, JSON otherwise.")

    @OptionGroup public var database: DatabaseOptions

    @Argument(help: "Trace id (32 or 16 hex digits) or a unique prefix of it.") public var id: String

    @Option(help: "tree, json, jsonl, csv or table (jsonl/csv/table list the spans).") public var format: String?

    public init() {}

    static let formats: [OutputFormat] = [.tree, .json, .jsonl, .csv, .table]

    public func validate() throws {
        _ = try outputFormat()
        guard !id.isEmpty, id.count <= 32, id.allSatisfy(\.isHexDigit) else {
            throw ValidationError("trace id '\(Sanitizer.escape(id))': give 1 to 32 hex digits")
        }
    }

    func outputFormat() throws -> OutputFormat {
        var options = OutputOptions()
        options.format = format
        return try options.outputFormat(allowed: Self.formats, terminalDefault: .tree)
    }

    public func run() throws {
        let queries = try QueryRunner.open(database)
        let found = try QueryRunner.attempt(queries.reader.location) { try queries.trace(idOrPrefix: id) }
        guard let detail = found else {
            throw MeshtopError(
                "no trace with id \(id) in \(queries.reader.location): check the id, or whether retention removed it",
                code: MeshtopExit.conditionHeld)
        }
        switch try outputFormat() {
        case .tree: QueryRunner.emit(TraceTreeRenderer.render(detail, width: OutputOptions.terminalColumns()))
        case .json: QueryRunner.emit(JSONRenderer.encode(Records.trace(detail)) + "\n")
        case let f: QueryRunner.emit(OutputRenderer.render(Records.spans(detail.spans), as: f))
        }
    }
}
