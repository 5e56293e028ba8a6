import Foundation
import MeshtopCollector
import MeshtopModel
import MeshtopNet
import MeshtopStore

/// `meshtop bench otlp`: an in-process collector loaded by a separate sender process (this binary with
/// `bench otlp --sender`), then what was persisted, the collector's CPU per span and its peak RSS. Two paths, the
/// same traces: OTLP/HTTP protobuf (only that receiver on; batches POSTed over keep-alive connections as fast as
/// they are answered, 429/503 retried) and, beside it, Jaeger thrift compact over UDP (only the Jaeger listener
/// on; datagrams paced at `--jaeger-rate`, no backpressure).
public enum OTLPBenchmark {
    /// Which receivers to load.
    public enum Path: String, Sendable, CaseIterable {
        case otlp, jaeger, both
    }

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
        public var path: Path
        /// Spans per second sent over Jaeger UDP.
        public var jaegerRate: Int

        public init(
            micros: Int64, durationText: String, connections: Int, batch: Int, db: String?, governance: Bool,
            seed: UInt64, path: Path = .otlp, jaegerRate: Int = 40_000
        ) {
            self.micros = micros
            self.durationText = durationText
            self.connections = connections
            self.batch = batch
            self.db = db
            self.governance = governance
            self.seed = seed
            self.path = path
            self.jaegerRate = jaegerRate
        }
    }

    /// Runs the asked paths one after the other, each with a collector of its own, and returns the reports.
    public static func run(_ o: Options) async throws -> String {
        var reports: [String] = []
        if o.path != .jaeger { reports.append(try await otlp(o)) }
        if o.path != .otlp { reports.append(try await jaeger(o)) }
        return reports.joined(separator: "\n")
    }

    /// The sending side, run in the child process: prints `spans requests retries failed` (OTLP) or
    /// `spans datagrams sendMicros` (Jaeger: encoding happens before sending).
    public static func sender(_ o: Options, target: HostPort) throws -> String {
        if o.path == .jaeger {
            let t = try JaegerBenchSender.run(
                target: target, rate: o.jaegerRate, batch: o.batch, micros: o.micros, seed: o.seed)
            return "\(t.spans) \(t.datagrams) \(t.sendMicros)"
        }
        let t = try OTLPBenchSender.run(
            target: target, connections: o.connections, batch: o.batch, micros: o.micros, seed: o.seed)
        return "\(t.spans) \(t.requests) \(t.retries) \(t.failed)"
    }

    /// What one path measured in the collector process.
    struct Measured {
        var persisted: Int64
        var counters: [String: Int64]
        var cpuSeconds: Double
        var writerSeconds: Double
        var peakMB: Int64
        var sendSeconds: Double
        var drainedSeconds: Double
        var kernelDrops: Int64
    }

    /// Starts a collector with `config`, runs `send` against the receiver `receiver` and drains until
    /// `parsed.spans` reaches what `send` says was accepted.
    static func measure(
        _ o: Options, config: CollectorConfig, receiver: (Collector) -> HostPort?,
        send: (HostPort) throws -> Int64
    ) async throws -> Measured {
        let dir = NSTemporaryDirectory() + "meshtop-bench-otlp-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if o.db == nil { try? FileManager.default.removeItem(atPath: dir) } }
        let path = o.db ?? dir + "/bench-\(config.jaeger == nil ? "otlp" : "jaeger").db"
        let collector = Collector(config: config, databasePath: path)
        try await collector.start()
        guard let target = receiver(collector) else { throw BenchError("the receiver did not bind") }
        let rss = RSSSampler()
        rss.start()
        let kernelBefore = KernelUDP.receiveErrors()
        let cpuBefore = BenchCollector.processCPUSeconds()
        let started = Date()
        let accepted = try send(target)
        let sendSeconds = Date().timeIntervalSince(started)
        // Drain: every accepted span is queued; wait until the writer has committed them (or stops moving).
        try await BenchCollector.drain(collector, counter: "parsed.spans", until: accepted)
        let drainedSeconds = Date().timeIntervalSince(started)
        await collector.stop()
        let cpu = BenchCollector.processCPUSeconds() - cpuBefore
        rss.stop()
        let store = try MeshtopStore.openReadOnly(path: path)
        return Measured(
            persisted: store.rowCounts()["spans"] ?? 0, counters: try store.counters(), cpuSeconds: cpu,
            writerSeconds: Double(collector.statistics["cpu.writer_us"] ?? 0) / 1_000_000, peakMB: rss.peakMB,
            sendSeconds: sendSeconds, drainedSeconds: drainedSeconds,
            kernelDrops: max(0, KernelUDP.receiveErrors() - kernelBefore))
    }

    static func f(_ d: Double, _ digits: Int = 0) -> String { String(format: "%.\(digits)f", d) }

    static func otlp(_ o: Options) async throws -> String {
        var config = CollectorConfig()
        config.listen = []
        config.jaeger = nil
        config.otlpHTTP = HostPort(host: "127.0.0.1", port: 0)
        config.governance = o.governance
        var sent = OTLPBenchSender.Totals()
        let m = try await measure(o, config: config, receiver: { $0.receiverAddresses["otlp"] }) { target in
            let n = try spawnSender(o, path: .otlp, target: target)
            guard n.count == 4 else { throw BenchError("the sender process failed") }
            sent = OTLPBenchSender.Totals(spans: n[0], requests: n[1], retries: n[2], failed: n[3])
            return sent.spans
        }
        let lost = max(0, sent.spans - m.persisted) + sent.failed
        return """
            otlp benchmark: OTLP/HTTP protobuf, \(o.batch) spans per request, \(o.connections) keep-alive \
            connection(s), \(o.durationText), governance \(o.governance ? "on" : "off")
              accepted    \(sent.spans) spans in \(sent.requests - sent.retries) requests, \
            \(f(Double(sent.spans) / m.sendSeconds)) spans/s while sending
              backpressure \(sent.retries) answers 429/503, retried (collector counted \
            \(m.counters["otlp_http.retry_after"] ?? 0))
              persisted   \(m.persisted) spans, \(f(Double(m.persisted) / m.drainedSeconds)) spans/s until written \
            (drained \(f(m.drainedSeconds, 1)) s)
              loss        \(lost) spans (failed requests \(sent.failed), dropped \(m.counters["dropped"] ?? 0))
            \(cpuAndRSS(m))
            """
    }

    static func jaeger(_ o: Options) async throws -> String {
        var config = CollectorConfig()
        config.listen = []
        config.jaeger = HostPort(host: "127.0.0.1", port: 0)
        config.governance = o.governance
        var sent: (spans: Int64, datagrams: Int64, seconds: Double) = (0, 0, 1)
        let m = try await measure(o, config: config, receiver: { $0.boundAddresses.first }) { target in
            let n = try spawnSender(o, path: .jaeger, target: target)
            guard n.count == 3 else { throw BenchError("the sender process failed") }
            sent = (n[0], n[1], Double(max(1, n[2])) / 1e6)
            return sent.spans
        }
        let lost = max(0, sent.spans - m.persisted)
        // The sender encodes before it sends: count from its first datagram.
        let drained = max(0.001, m.drainedSeconds - max(0, m.sendSeconds - sent.seconds))
        let percent = f(sent.spans > 0 ? Double(lost) * 100 / Double(sent.spans) : 0, 3)
        return """
            jaeger benchmark: Jaeger thrift compact over UDP, the same traces, \(o.batch) spans per round, \
            target \(o.jaegerRate) spans/s, \(o.durationText), governance \(o.governance ? "on" : "off")
              sent        \(sent.spans) spans in \(sent.datagrams) datagrams, \
            \(f(Double(sent.spans) / sent.seconds)) spans/s while sending
              persisted   \(m.persisted) spans, \(f(Double(m.persisted) / drained)) spans/s until written \
            (drained \(f(drained, 1)) s after the first datagram)
              loss        \(lost) spans (\(percent) %): dropped \(m.counters["dropped"] ?? 0) (of which by the kernel \
            at its socket \(m.counters["dropped.kernel"] ?? 0) datagrams); system-wide RcvbufErrors +\(m.kernelDrops)
            \(cpuAndRSS(m))
            """
    }

    static func cpuAndRSS(_ m: Measured) -> String {
        """
          cpu         collector process \(f(m.cpuSeconds, 1)) s = \
        \(f(m.cpuSeconds * 1_000_000 / Double(max(1, m.persisted)), 2)) µs/span (writer \(f(m.writerSeconds, 1)) s \
        = \(f(m.writerSeconds * 1_000_000 / Double(max(1, m.persisted)), 2)) µs/span)
          rss         peak \(m.peakMB) MB (collector process)
        """
    }

    /// Runs the sender child process for `path` and returns the numbers it printed.
    private static func spawnSender(_ o: Options, path: Path, target: HostPort) throws -> [Int64] {
        let p = Process()
        p.executableURL = BenchCollector.executable
        p.arguments = [
            "bench", "otlp", "--sender", "--path", path.rawValue, "--to", "\(target)", "--duration", o.durationText,
            "--connections", "\(o.connections)", "--batch", "\(o.batch)", "--seed", "\(o.seed)", "--jaeger-rate",
            "\(o.jaegerRate)",
        ]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return text.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int64($0) }
    }
}

/// A benchmark that could not run, with what went wrong.
public struct BenchError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) { self.description = description }
}
