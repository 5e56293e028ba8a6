import Foundation
import MeshtopCollector
import MeshtopModel
import MeshtopNet
import MeshtopStore

/// `meshtop bench ingest`: an in-process collector on a temp database, fed at a fixed rate by separate sender
/// processes (this binary with `bench ingest --sender`), then a count of what was persisted (SPEC §7).
public enum IngestBenchmark {
    /// What the command line asked for.
    public struct Options: Sendable {
        /// Lines per second, all senders together.
        public var rate: Int
        public var micros: Int64
        /// The duration as given, passed on to the sender processes.
        public var durationText: String
        public var mix: BenchTraffic.Mix
        public var senders: Int
        /// Database for the in-process collector; nil: a temp file, removed afterwards.
        public var db: String?
        public var governance: Bool

        public init(
            rate: Int, micros: Int64, durationText: String, mix: BenchTraffic.Mix, senders: Int, db: String?,
            governance: Bool
        ) {
            self.rate = rate
            self.micros = micros
            self.durationText = durationText
            self.mix = mix
            self.senders = senders
            self.db = db
            self.governance = governance
        }
    }

    /// Runs the collector in process, feeds it from `senders` child processes and returns the report.
    public static func run(_ o: Options) async throws -> String {
        let dir = NSTemporaryDirectory() + "meshtop-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if o.db == nil { try? FileManager.default.removeItem(atPath: dir) } }
        let path = o.db ?? dir + "/bench.db"
        var config = CollectorConfig()
        config.listen = [HostPort(host: "127.0.0.1", port: 0)]
        config.jaeger = nil
        config.governance = o.governance
        let collector = Collector(config: config, databasePath: path)
        try await collector.start()
        let kernelBefore = KernelUDP.receiveErrors()
        let rss = RSSSampler()
        rss.start()
        let started = Date()
        let sent = try await spawnSenders(o, target: collector.boundAddresses[0])
        let sendSeconds = Date().timeIntervalSince(started)
        // Drain: wait until every sent line was counted, or the count stops moving for 2 s.
        try await BenchCollector.drain(collector, counter: "lines", until: sent.lines)
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
        return """
            ingest benchmark: mix \(o.mix), target \(o.rate) lines/s for \(o.durationText), \(o.senders) sender(s), \
            governance \(o.governance ? "on" : "off")
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
              cpu         \(cpuReport(cpu, persisted: persisted, received: counters["lines"] ?? 0))
              rss         peak \(rss.peakMB) MB (collector process)
              database    \(store.databaseBytes() / 1_048_576) MB at \(path)
            """
    }

    /// CPU per line of the collector's threads, and the rate each could sustain on a core of its own: the writer
    /// per persisted line, the UDP reading threads (`meshtop-udp-N`, summed) per received line, the log full-text
    /// index thread (`meshtop-fts`) per persisted line.
    static func cpuReport(_ cpu: [String: Double], persisted: Int64, received: Int64) -> String {
        let reading = cpu.filter { $0.key.hasPrefix("meshtop-udp") }.values.reduce(0, +)
        func part(_ name: String, _ s: Double, _ lines: Int64) -> String {
            let us = s * 1_000_000 / Double(max(1, lines))
            return "\(name) \(String(format: "%.1f", s)) s = \(String(format: "%.2f", us)) µs/line "
                + "(≤ \(us > 0 ? String(format: "%.0f", 1_000_000 / us) : "-") lines/s per core)"
        }
        return [
            part("writer", cpu["meshtop-writer"] ?? 0, persisted), part("reading", reading, received),
            part("index", cpu["meshtop-fts"] ?? 0, persisted),
        ].joined(separator: "; ")
    }

    /// Runs `senders` child processes of this binary (`bench ingest --sender`), each at rate/senders, and sums
    /// what they sent.
    public static func spawnSenders(_ o: Options, target: HostPort) async throws -> (lines: Int64, datagrams: Int64) {
        var children: [(Process, Pipe)] = []
        for i in 0..<o.senders {
            let p = Process()
            p.executableURL = BenchCollector.executable
            p.arguments = [
                "bench", "ingest", "--sender", "--to", "\(target)", "--rate", "\(o.rate / o.senders)",
                "--duration", o.durationText, "--mix", o.mix.rawValue, "--seed", "\(i + 1)",
            ]
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

/// What the in-process benchmarks share: the binary to spawn senders from, draining, process CPU.
public enum BenchCollector {
    /// This executable, for sender child processes.
    static var executable: URL { URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath() }

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

    /// User + system CPU of this process so far (all threads: reading, writer, index, governance).
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1_000_000 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }
}
