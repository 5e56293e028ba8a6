import ArgumentParser

/// `meshtop bench …`: benchmarks that print their numbers (docs/benchmarks.md). Not tests.
public struct BenchCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks: ingest, otlp, decode, store, query, governance, console.",
        subcommands: [
            BenchIngestCommand.self, BenchOTLPCommand.self, BenchDecodeCommand.self, BenchStoreCommand.self,
            BenchQueryCommand.self,
            BenchGovernanceCommand.self,
            BenchConsoleCommand.self,
        ]
    )

    public init() {}
}
