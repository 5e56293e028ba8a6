import ArgumentParser
import MeshtopBench
import MeshtopNet

/// `meshtop bench otlp`: an in-process collector with only its OTLP/HTTP receiver on, loaded by a separate sender
/// process (this binary with `--sender`) that POSTs protobuf batches over keep-alive connections as fast as they
/// are answered; then what was persisted, the collector's CPU per span and its peak RSS; beside it (`--path`) the
/// same traces over Jaeger thrift UDP at `--jaeger-rate`. The work is `OTLPBenchmark` (MeshtopBench).
public struct BenchOTLPCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "otlp",
        abstract: "Benchmark OTLP/HTTP protobuf span ingest (and the same traces over Jaeger UDP) at 0 loss.")

    @Option(help: "How long to send.", transform: DurationArgument.parser("--duration", example: "10s or 1m"))
    public var duration = DurationArgument.literal("10s")

    @Option(help: "Keep-alive connections, each sending one request at a time.")
    public var connections: Int = 4

    @Option(help: "Spans per request (a multiple of 8: traces of 8 spans).")
    public var batch: Int = 512

    @Option(help: "Database for the in-process collector (default: a temp file, removed afterwards).")
    public var db: String?

    @Flag(name: .customLong("no-governance"), help: "Run the in-process collector without governance.")
    public var noGovernance = false

    @Option(help: "otlp (OTLP/HTTP protobuf), jaeger (the same traces as Jaeger thrift over UDP) or both in turn.")
    public var path: String = "both"

    @Option(name: .customLong("jaeger-rate"), help: "Spans per second sent over Jaeger UDP (it has no backpressure).")
    public var jaegerRate: Int = 40_000

    @Flag(help: .hidden) public var sender = false
    @Option(help: .hidden) public var to: String?
    @Option(help: .hidden) public var seed: UInt64 = 1

    public init() {}

    public func validate() throws {
        guard connections > 0, batch >= 8 else { throw ValidationError("--connections > 0 and --batch ≥ 8") }
        guard OTLPBenchmark.Path(rawValue: path) != nil else {
            throw ValidationError("--path \(path): expected otlp, jaeger or both")
        }
        guard jaegerRate > 0 else { throw ValidationError("--jaeger-rate must be a positive number of spans/s") }
    }

    public func run() async throws {
        let options = OTLPBenchmark.Options(
            micros: duration.micros, durationText: duration.text, connections: connections, batch: batch, db: db,
            governance: !noGovernance, seed: seed, path: OTLPBenchmark.Path(rawValue: path) ?? .both,
            jaegerRate: jaegerRate)
        if sender {
            guard let target = to.flatMap(HostPort.init) else { throw ValidationError("--sender needs --to") }
            print(try OTLPBenchmark.sender(options, target: target))
            return
        }
        print(try await OTLPBenchmark.run(options))
    }
}
