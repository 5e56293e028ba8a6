import Foundation
import MeshtopCollector
import MeshtopModel
import MeshtopNet
import MeshtopStore

/// `meshtop bench otlp`: an in-process collector with only its OTLP/HTTP receiver on, loaded by a separate sender
/// process (this binary with `bench otlp --sender`) that POSTs protobuf batches over keep-alive connections as fast
/// as they are answered; then what was persisted, the collector's CPU per span and its peak RSS.
public enum OTLPBenchmark {
    /// What the command line asked for.
    public struct Options: Sendable {
        public var micros: Int64
        /// The duration as given, passed on to the sender process.
        public var durationText: String
        /// Keep-alive connections, each sending one request at a time.
        public var connections: Int
        /// Spans per request.
        public var batch: Int
        /// Database for the in-process collector; nil: a temp file, removed afterwards.
        public var db: String?
        public var governance: Bool
        public var seed: UInt64

        public init(
            micros: Int64, durationText: String, connections: Int, batch: Int, db: String?, governance: Bool,
            seed: UInt64
        ) {
            self.micros = micros
            self.durationText = durationText
            self.connections = connections
            self.batch = batch
            self.db = db
            self.governance = governance
            self.seed = seed
        }
    }

    /// Runs the collector in process, loads it from a sender child process and returns the report.
    public static func run(_ o: Options) async throws -> String {
        let dir = NSTemporaryDirectory() + "meshtop-bench-otlp-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if o.db == nil { try? FileManager.default.removeItem(atPath: dir) } }
        let path = o.db ?? dir + "/bench.db"
        var config = CollectorConfig()
        config.listen = []
        config.jaeger = nil
        config.otlpHTTP = HostPort(host: "127.0.0.1", port: 0)
        config.governance = o.governance
        let collector = Collector(config: config, databasePath: path)
        try await collector.start()
        guard let target = collector.receiverAddresses["otlp"] else { throw BenchError("OTLP receiver not bound") }
        let rss = RSSSampler()
        rss.start()
        let cpuBefore = BenchCollector.processCPUSeconds()
        let started = Date()
        let sent = try spawnSender(o, target: target)
        let sendSeconds = Date().timeIntervalSince(started)
        // Drain: every accepted span is queued; wait until the writer has committed them (or stops moving).
        try await BenchCollector.drain(collector, counter: "parsed.spans", until: sent.spans)
        let drainedSeconds = Date().timeIntervalSince(started)
        await collector.stop()
        let cpu = BenchCollector.processCPUSeconds() - cpuBefore
        rss.stop()
        let store = try MeshtopStore.openReadOnly(path: path)
        let persisted = store.rowCounts()["spans"] ?? 0
        let counters = try store.counters()
        let lost = max(0, sent.spans - persisted) + sent.failed
        func f(_ d: Double, _ digits: Int = 0) -> String { String(format: "%.\(digits)f", d) }
        return """
            otlp benchmark: OTLP/HTTP protobuf, \(o.batch) spans per request, \(o.connections) keep-alive \
            connection(s), \(o.durationText), governance \(o.governance ? "on" : "off")
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
            """
    }

    /// The sending side, run in the child process: prints `spans requests retries failed`.
    public static func sender(_ o: Options, target: HostPort) throws -> String {
        let t = try OTLPBenchSender.run(
            target: target, connections: o.connections, batch: o.batch, micros: o.micros, seed: o.seed)
        return "\(t.spans) \(t.requests) \(t.retries) \(t.failed)"
    }

    private static func spawnSender(_ o: Options, target: HostPort) throws -> OTLPBenchSender.Totals {
        let p = Process()
        p.executableURL = BenchCollector.executable
        p.arguments = [
            "bench", "otlp", "--sender", "--to", "\(target)", "--duration", o.durationText, "--connections",
            "\(o.connections)", "--batch", "\(o.batch)", "--seed", "\(o.seed)",
        ]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let n = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int64($0) }
        guard n.count == 4 else { throw BenchError("the sender process failed: \(text)") }
        return OTLPBenchSender.Totals(spans: n[0], requests: n[1], retries: n[2], failed: n[3])
    }
}

/// A benchmark that could not run, with what went wrong.
public struct BenchError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) { self.description = description }
}
