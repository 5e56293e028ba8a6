import ArgumentParser

/// `meshtop bench ingest`.
public struct BenchIngestCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "ingest")
    public init() {}
    public func run() async throws {}
}
