import ArgumentParser
import Foundation
import MeshtopCollector
import MeshtopModel
import MeshtopNet
import MeshtopStore

/// `meshtop bench otlp`: an in-process collector with only its OTLP/HTTP receiver on, loaded by a separate sender
/// process (this binary with `--sender`) that POSTs protobuf batches over keep-alive connections as fast as they
/// are answered; then what was persisted, the collector's CPU per span and its peak RSS.
public struct BenchOTLPCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "otlp",
        abstract: "Benchmark OTLP/HTTP protobuf span ingest: batches over keep-alive connections, at 0 loss.")

    @Option(help: "How long to send.")
    public var duration: String = "10s"

    @Option(help: "Keep-alive connections, each sending one request at a time.")
    public var connections: Int = 4

    @Option(help: "Spans per request (a multiple of 8: traces of 8 spans).")
    public var batch: Int = 512

    @Option(help: "Database for the in-process collector (default: a temp file, removed afterwards).")
    public var db: String?

    @Flag(name: .customLong("no-governance"), help: "Run the in-process collector without governance.")
    public var noGovernance = false

    @Flag(help: .hidden) public var sender = false
    @Option(help: .hidden) public var to: String?
    @Option(help: .hidden) public var seed: UInt64 = 1

    public init() {}

    public func validate() throws {
        guard DurationText.parseMicros(duration) != nil else { throw ValidationError("--duration: e.g. 10s, 1m") }
        guard connections > 0, batch >= 8 else { throw ValidationError("--connections > 0 and --batch ≥ 8") }
    }

    public func run() async throws {
        let micros = DurationText.parseMicros(duration) ?? 10_000_000
        if sender {
            guard let target = to.flatMap(HostPort.init) else { throw ValidationError("--sender needs --to") }
            let t = try OTLPBenchSender.run(
                target: target, connections: connections, batch: batch, micros: micros, seed: seed)
            print("\(t.spans) \(t.requests) \(t.retries) \(t.failed)")
            return
        }
        let dir = NSTemporaryDirectory() + "meshtop-bench-otlp-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if db == nil { try? FileManager.default.removeItem(atPath: dir) } }
        let path = db ?? dir + "/bench.db"
        var config = CollectorConfig()
        config.listen = []
        config.jaeger = nil
        config.otlpHTTP = HostPort(host: "127.0.0.1", port: 0)
        config.governance = !noGovernance
        let collector = Collector(config: config, databasePath: path)
        try await collector.start()
        guard let target = collector.receiverAddresses["otlp"] else { throw ValidationError("OTLP receiver not bound") }
        let rss = RSSSampler()
        rss.start()
        let cpuBefore = Self.processCPUSeconds()
        let started = Date()
        let sent = try spawnSender(target: target)
        let sendSeconds = Date().timeIntervalSince(started)
        // Drain: every accepted span is queued; wait until the writer has committed them (or stops moving).
        try await Self.drain(collector, counter: "parsed.spans", until: sent.spans)
        let drainedSeconds = Date().timeIntervalSince(started)
        await collector.stop()
        let cpu = Self.processCPUSeconds() - cpuBefore
        rss.stop()
        let store = try MeshtopStore.openReadOnly(path: path)
        let persisted = store.rowCounts()["spans"] ?? 0
        let counters = try store.counters()
        let lost = max(0, sent.spans - persisted) + sent.failed
        func f(_ d: Double, _ digits: Int = 0) -> String { String(format: "%.\(digits)f", d) }
        print("""
            otlp benchmark: OTLP/HTTP protobuf, \(batch) spans per request, \(connections) keep-alive connection(s), \
            \(duration), governance \(noGovernance ? "off" : "on")
              accepted    \(sent.spans) spans in \(sent.requests - sent.retries) requests, \
            \(f(Double(sent.spans) / sendSeconds)) spans/s while sending
              backpressure \(sent.retries) answers 429/503, retried (collector counted \
            \(counters["otlp_http.retry_after"] ?? 0))
              persisted   \(persisted) spans, \(f(Double(persisted) / drainedSeconds)) spans/s until written \
            (drained \(f(drainedSeconds, 1)) s)
              loss        \(lost) spans (failed requests \(sent.failed), dropped \(counters["dropped"] ?? 0))
              cpu         collector process \(f(cpu, 1)) s = \(f(cpu * 1_000_000 / Double(max(1, persisted)), 2)) \
            µs/span \
            (writer \(f(Double(collector.statistics["cpu.writer_us"] ?? 0) / 1_000_000, 1)) s)
              rss         peak \(rss.peakMB) MB (collector process)
            """)
    }

    /// Waits until the collector's `counter` reaches `target`, or stops moving for 2 s (what never arrives).
    static func drain(_ collector: Collector, counter: String, until target: Int64) async throws {
        var last: Int64 = -1
        var still = Date()
        while true {
            let seen = collector.statistics[counter] ?? 0
            if seen >= target { return }
            if seen != last {
                last = seen
                still = Date()
            } else if Date().timeIntervalSince(still) > 2 {
                return
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
    }

    /// User + system CPU of this process so far (all threads: event loop, writer, governance).
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1_000_000 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }

    private func spawnSender(target: HostPort) throws -> OTLPBenchSender.Totals {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        p.arguments = [
            "bench", "otlp", "--sender", "--to", "\(target)", "--duration", duration, "--connections",
            "\(connections)", "--batch", "\(batch)", "--seed", "\(seed)",
        ]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let n = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int64($0) }
        guard n.count == 4 else { throw ValidationError("the sender process failed: \(text)") }
        return OTLPBenchSender.Totals(spans: n[0], requests: n[1], retries: n[2], failed: n[3])
    }
}
