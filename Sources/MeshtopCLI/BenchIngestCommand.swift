import ArgumentParser
import MeshtopBench
import MeshtopNet

/// `meshtop bench ingest`: an in-process collector on a temp database, fed at a fixed rate by separate sender
/// processes (this binary with `--sender`), then a count of what was persisted (SPEC §7). The work is
/// `IngestBenchmark` (MeshtopBench).
public struct BenchIngestCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Benchmark ingest: send realistic lines at a fixed rate, report what was persisted and lost.")

    @Option(help: "Lines per second, all senders together.")
    public var rate: Int = 100_000

    @Option(help: "How long to send.", transform: DurationArgument.parser("--duration", example: "10s or 1m"))
    public var duration = DurationArgument.literal("10s")

    @Option(help: "mixed (40% spans, 40% logs, 20% metrics), metrics, or spans (Zipkin spans only).")
    public var mix: String = "mixed"

    @Option(help: "Sender processes.")
    public var senders: Int = 1

    @Option(help: "Send to an external collector HOST:PORT instead (reports what was sent only).")
    public var to: String?

    @Option(help: "Database for the in-process collector (default: a temp file, removed afterwards).")
    public var db: String?

    @Flag(name: .customLong("no-governance"), help: "Run the in-process collector without governance.")
    public var noGovernance = false

    @Flag(help: .hidden) public var sender = false
    @Option(help: .hidden) public var seed: UInt64 = 1

    public init() {}

    public func validate() throws {
        guard BenchTraffic.Mix(rawValue: mix) != nil else {
            throw ValidationError("--mix: expected mixed, metrics or spans")
        }
        guard rate > 0, senders > 0 else { throw ValidationError("--rate and --senders must be positive") }
    }

    public func run() async throws {
        let options = IngestBenchmark.Options(
            rate: rate, micros: duration.micros, durationText: duration.text,
            mix: BenchTraffic.Mix(rawValue: mix) ?? .mixed, senders: senders, db: db, governance: !noGovernance)
        if sender {
            guard let target = to.flatMap(HostPort.init) else { throw ValidationError("--sender needs --to") }
            let sent = try BenchSender.run(
                target: target, rate: rate, micros: options.micros, mix: options.mix, seed: seed)
            print("\(sent.lines) \(sent.datagrams)")
            return
        }
        if let external = to {
            guard let target = HostPort(external) else { throw ValidationError("--to: expected HOST:PORT") }
            let sent = try await IngestBenchmark.spawnSenders(options, target: target)
            print("sent \(sent.lines) lines in \(sent.datagrams) datagrams to \(target)")
            return
        }
        print(try await IngestBenchmark.run(options))
    }
}
