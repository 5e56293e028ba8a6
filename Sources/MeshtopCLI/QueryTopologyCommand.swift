import ArgumentParser
import MeshtopModel
import MeshtopQuery

/// `meshtop query topology`: the service graph over the window.
public struct QueryTopologyCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "topology",
        abstract: "Service graph: edges with calls, errors, rate, p99 and breaker state; dot or mermaid for drawing.")

    @OptionGroup public var database: DatabaseOptions
    @OptionGroup public var output: OutputOptions

    public init() {}

    static let formats: [OutputFormat] = OutputFormat.lists + [.dot, .mermaid]

    public func validate() throws { _ = try output.outputFormat(allowed: Self.formats) }

    public func run() throws {
        let queries = try QueryRunner.open(database)
        let window = try output.window(nowMicros: SystemClock.wallMicros())
        let topology = try QueryRunner.attempt(queries.reader.location) { try queries.topology(window: window) }
        switch try output.outputFormat(allowed: Self.formats) {
        case .dot: QueryRunner.emit(TopologyRenderer.dot(topology))
        case .mermaid: QueryRunner.emit(TopologyRenderer.mermaid(topology))
        case .json: QueryRunner.emit(JSONRenderer.encode(Records.topology(topology)) + "\n")
        case let f: QueryRunner.emit(OutputRenderer.render(Records.edges(topology.edges).prefix(output.limit), as: f))
        }
    }
}
