import ArgumentParser
import MeshtopModel
import MeshtopQuery

/// `meshtop query metrics`: StatsD series aggregated over the window.
public struct QueryMetricsCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "StatsD series over the window: counters count/rate, gauges last, timers count/sum/min/max/mean/pNN.")

    @OptionGroup public var database: DatabaseOptions
    @OptionGroup public var output: OutputOptions

    @Option(help: "Metric name glob (checkout.*, *.latency).") public var name: String?
    @Option(help: "A tag KEY=VALUE or KEY:VALUE the series must carry (repeatable).") public var tag: [String] = []

    public init() {}

    public func validate() throws {
        _ = try output.outputFormat()
        _ = try QueryRunner.tags(tag)
    }

    public func run() throws {
        let queries = try QueryRunner.open(database)
        let search = MetricSearch(
            window: try output.window(nowMicros: SystemClock.wallMicros()), nameGlob: name,
            tags: try QueryRunner.tags(tag).map { $0.0 + ":" + $0.1 }, limit: output.limit ?? 1_000)
        let rows = try QueryRunner.attempt(queries.reader.location) { try queries.metrics(search) }
        try QueryRunner.finish(Records.metrics(rows), format: try output.outputFormat(), failOn: nil)
    }
}
