import ArgumentParser
import MeshtopModel
import MeshtopQuery

/// `meshtop query traces`: Jaeger-style trace search.
public struct QueryTracesCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "traces",
        abstract: "Find traces with a span matching every filter, newest first (default limit 20).")

    @OptionGroup public var database: DatabaseOptions
    @OptionGroup public var output: OutputOptions

    @Option(help: "A span of this service.") public var service: String?
    @Option(help: "A span with this operation name.") public var operation: String?
    @Option(help: "A span attribute KEY=VALUE (repeatable; all must match on one span).") public var tag: [String] = []
    @Option(name: .customLong("min-duration"), help: "A span at least this long (250ms, 1.5s).")
    public var minDuration: String?
    @Option(name: .customLong("max-duration"), help: "A span at most this long.") public var maxDuration: String?
    @Flag(help: "Only traces with an error span matching the filters.") public var error = false

    public init() {}

    public func validate() throws {
        _ = try output.outputFormat()
        _ = try search(window: TimeWindow(sinceMicros: 0, untilMicros: 1))
    }

    func search(window: TimeWindow) throws -> TraceSearch {
        TraceSearch(
            window: window, service: service, operation: operation,
            tags: try QueryRunner.tags(tag).map { Attribute($0.0, .string($0.1)) },
            minDurationMicros: try QueryRunner.duration(minDuration, flag: "--min-duration"),
            maxDurationMicros: try QueryRunner.duration(maxDuration, flag: "--max-duration"), errorsOnly: error,
            limit: output.limit ?? 20)
    }

    public func run() throws {
        let queries = try QueryRunner.open(database)
        let s = try search(window: try output.window(nowMicros: SystemClock.wallMicros()))
        let rows = try QueryRunner.attempt(queries.reader.location) { try queries.traces(s) }
        try QueryRunner.finish(Records.traces(rows), format: try output.outputFormat(), failOn: nil)
    }
}
