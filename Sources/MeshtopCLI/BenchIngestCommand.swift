import ArgumentParser
import Foundation
import MeshtopCollector
import MeshtopModel
import MeshtopNet
import MeshtopStore

/// `meshtop bench ingest`: an in-process collector on a temp database, fed at a fixed rate by separate sender
/// processes (this binary with `--sender`), then a count of what was persisted (SPEC §7).
public struct BenchIngestCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Benchmark ingest: send realistic lines at a fixed rate, report what was persisted and lost.")

    @Option(help: "Lines per second, all senders together.")
    public var rate: Int = 100_000

    @Option(help: "How long to send.", transform: DurationArgument.parser("--duration", example: "10s or 1m"))
    public var duration = DurationArgument.literal("10s")

    @Option(help: "mixed (40% spans, 40% logs, 20% metrics) or metrics.")
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
        guard BenchTraffic.Mix(rawValue: mix) != nil else { throw ValidationError("--mix: expected mixed or metrics") }
        guard rate > 0, senders > 0 else { throw ValidationError("--rate and --senders must be positive") }
    }

    public func run() async throws {
        let micros = duration.micros
        let mix = BenchTraffic.Mix(rawValue: mix) ?? .mixed
        if sender {
            guard let target = to.flatMap(HostPort.init) else { throw ValidationError("--sender needs --to") }
            let sent = try BenchSender.run(target: target, rate: rate, micros: micros, mix: mix, seed: seed)
            print("\(sent.lines) \(sent.datagrams)")
            return
        }
        if let external = to {
            guard let target = HostPort(external) else { throw ValidationError("--to: expected HOST:PORT") }
            let sent = try await spawnSenders(target: target, micros: micros)
            print("sent \(sent.lines) lines in \(sent.datagrams) datagrams to \(target)")
            return
        }
        try await runInProcess(micros: micros)
    }

    private func runInProcess(micros: Int64) async throws {
        let dir = NSTemporaryDirectory() + "meshtop-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if db == nil { try? FileManager.default.removeItem(atPath: dir) } }
        let path = db ?? dir + "/bench.db"
        var config = CollectorConfig()
        config.listen = [HostPort(host: "127.0.0.1", port: 0)]
        config.jaeger = nil
        config.governance = !noGovernance
        let collector = Collector(config: config, databasePath: path)
        try await collector.start()
        let kernelBefore = KernelUDP.receiveErrors()
        let rss = RSSSampler()
        rss.start()
        let started = Date()
        let sent = try await spawnSenders(target: collector.boundAddresses[0], micros: micros)
        let sendSeconds = Date().timeIntervalSince(started)
        // Drain: wait until every sent line was counted, or the count stops moving for 2 s.
        try await BenchOTLPCommand.drain(collector, counter: "lines", until: sent.lines)
        let drainedSeconds = Date().timeIntervalSince(started)
        await collector.stop()
        let totalSeconds = Date().timeIntervalSince(started)
        try await Task.sleep(nanoseconds: 300_000_000)
        rss.stop()
        var cpu = rss.cpuSeconds
        cpu["meshtop-writer"] = Double(collector.statistics["cpu.writer_us"] ?? 0) / 1_000_000
        let store = try MeshtopStore.openReadOnly(path: path)
        let rows = store.rowCounts()
        let counters = try store.counters()
        let persisted = (rows["spans"] ?? 0) + (rows["logs"] ?? 0) + (counters["parsed.metrics"] ?? 0)
        let lost = max(0, sent.lines - persisted)
        let kernel = max(0, KernelUDP.receiveErrors() - kernelBefore)
        func f(_ d: Double) -> String { String(format: "%.0f", d) }
        let lossPercent = String(format: "%.3f", sent.lines > 0 ? Double(lost) * 100 / Double(sent.lines) : 0)
        let p99 = String(format: "%.1f", (try? store.gauges()["write_p99_ms"]?.value) ?? 0)
        let rejected = counters.filter { $0.key.hasPrefix("rejected.") }.values.reduce(0, +)
        print("""
            ingest benchmark: mix \(mix), target \(rate) lines/s for \(duration), \(senders) sender(s), \
            governance \(noGovernance ? "off" : "on")
              sent        \(sent.lines) lines in \(sent.datagrams) datagrams, \
            \(f(Double(sent.lines) / sendSeconds)) lines/s
              persisted   \(persisted) lines (spans \(rows["spans"] ?? 0), logs \(rows["logs"] ?? 0), \
            metric samples \(counters["parsed.metrics"] ?? 0)), \(f(Double(persisted) / drainedSeconds)) lines/s \
            (drained \(String(format: "%.1f", drainedSeconds)) s, stopped \(String(format: "%.1f", totalSeconds)) s)
              rejected    \(rejected)
              dropped     \(counters["dropped"] ?? 0) lines at the queue; \
            kernel receive-buffer drops \(kernel) datagrams
              loss        \(lost) lines (\(lossPercent) %)
              batches     \(counters["batches"] ?? 0), write p99 \(p99) ms
              cpu         \(Self.cpuReport(cpu, persisted: persisted, received: counters["lines"] ?? 0))
              rss         peak \(rss.peakMB) MB (collector process)
              database    \(store.databaseBytes() / 1_048_576) MB at \(path)
            """)
    }

    /// Writer and event-loop CPU per line, and the rate each thread could sustain on a core of its own.
    /// The writer's time is per persisted line, the event loop's per received line.
    static func cpuReport(_ cpu: [String: Double], persisted: Int64, received: Int64) -> String {
        let writer = cpu["meshtop-writer"] ?? 0
        let loop = cpu.filter { $0.key.hasPrefix("NIO-ELT") }.values.reduce(0, +)
        func part(_ name: String, _ s: Double, _ lines: Int64) -> String {
            let us = s * 1_000_000 / Double(max(1, lines))
            return "\(name) \(String(format: "%.1f", s)) s = \(String(format: "%.2f", us)) µs/line "
                + "(≤ \(us > 0 ? String(format: "%.0f", 1_000_000 / us) : "-") lines/s per core)"
        }
        return part("writer", writer, persisted) + "; event loop " + part("", loop, received).dropFirst()
    }

    /// Runs `senders` child processes of this binary, each at rate/senders, and sums what they sent.
    private func spawnSenders(target: HostPort, micros: Int64) async throws -> (lines: Int64, datagrams: Int64) {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var children: [(Process, Pipe)] = []
        for i in 0..<senders {
            let p = Process()
            p.executableURL = exe
            p.arguments = ["bench", "ingest", "--sender", "--to", "\(target)", "--rate", "\(rate / senders)",
                "--duration", duration.text, "--mix", mix, "--seed", "\(i + 1)"]
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            children.append((p, out))
        }
        var lines: Int64 = 0
        var datagrams: Int64 = 0
        for (p, out) in children {
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int64($0) }
            if parts.count == 2 {
                lines += parts[0]
                datagrams += parts[1]
            }
        }
        return (lines, datagrams)
    }
}
