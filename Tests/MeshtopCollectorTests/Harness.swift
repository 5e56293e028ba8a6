import Foundation
import GRDB
import MeshtopModel
import MeshtopNet
import MeshtopStore
import Testing

@testable import MeshtopCollector

/// A collector on a temp database with loopback listeners on ephemeral ports, and a client socket to feed it.
final class Harness {
    let dir: String
    let dbPath: String
    let collector: Collector

    init(configure: (inout CollectorConfig) -> Void = { _ in }) async throws {
        dir = NSTemporaryDirectory() + "meshtop-collector-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        dbPath = dir + "/meshtop.db"
        var config = CollectorConfig()
        config.listen = [HostPort(host: "127.0.0.1", port: 0)]
        config.jaeger = HostPort(host: "127.0.0.1", port: 0)
        config.batchWindowMicros = 50_000
        config.selfMetricsIntervalMicros = 100_000
        // A pinned wall clock: every datagram is received in one StatsD flush interval and governance ticks never
        // cross into the next, so rollups come out of `stop()` alone, however slowly a loaded machine runs the test.
        config.wallClock = .pinned(at: Int64(Date().timeIntervalSince1970 * 1_000_000))
        // No pruning unless a test asks for it: the wire fixtures carry 2025 timestamps (DogStatsD `d:`, `T`), past
        // the default 24 h retention, and the first prune (10 s after start) deleted them whenever a loaded
        // machine stretched a test past 10 s (`dogstatsdStoresMetricsEventsAndServiceChecks` failed this way).
        config.retainRawMicros = 100 * 365 * 86_400_000_000
        config.retainRollupsMicros = 100 * 365 * 86_400_000_000
        configure(&config)
        collector = Collector(config: config, databasePath: dbPath)
        try await collector.start()
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    var lineAddress: HostPort { collector.boundAddresses[0] }
    var jaegerAddress: HostPort { collector.boundAddresses[collector.boundAddresses.count - 1] }

    /// Sends datagrams and waits until the collector has counted them all (received or denied), then stops it,
    /// which writes everything queued and flushes the metrics aggregated so far.
    func sendAndStop(_ datagrams: [[UInt8]], to address: HostPort? = nil) async throws {
        try await send(datagrams, to: address)
        await collector.stop()
    }

    func send(_ datagrams: [[UInt8]], to address: HostPort? = nil) async throws {
        let before = counted
        let sender = try UDPSender(target: address ?? lineAddress)
        for d in datagrams { #expect(sender.send(d)) }
        try await waitUntil { self.counted >= before + Int64(datagrams.count) }
    }

    private var counted: Int64 {
        let s = collector.statistics
        return (s["received_datagrams"] ?? 0) + (s["denied"] ?? 0)
    }

    /// Polls `condition` (every 20 ms, up to 60 s: a loaded CI machine can starve the event loop for seconds);
    /// fails the test when it never holds. It returns as soon as the condition holds, so a quiet run is not slower.
    func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<3_000 {
            if condition() { return }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        Issue.record("condition not met within 60 s; statistics: \(collector.statistics)")
    }

    func store() throws -> MeshtopStore { try MeshtopStore.openReadOnly(path: dbPath) }

    func rows(_ sql: String) throws -> [Row] {
        try store().read { db in try Row.fetchAll(db, sql: sql) }
    }

    func counters() throws -> [String: Int64] { try store().counters() }
}

/// The wire fixtures: one datagram per hex line (`*.datagrams`), or raw bodies.
enum Fixture {
    static var directory: URL { Bundle.module.url(forResource: "Fixtures", withExtension: nil)! }

    static func datagrams(_ name: String) throws -> [[UInt8]] {
        let text = try String(contentsOf: directory.appendingPathComponent(name + ".datagrams"), encoding: .utf8)
        return text.split(separator: "\n").map { hex($0) }
    }

    static func lines(_ file: String) throws -> [[UInt8]] {
        let data = try Data(contentsOf: directory.appendingPathComponent(file))
        return data.split(separator: 0x0A).map { Array($0) }
    }

    static func hex(_ s: Substring) -> [UInt8] {
        var out: [UInt8] = []
        var it = s.utf8.makeIterator()
        while let h = it.next(), let l = it.next() {
            out.append(UInt8(String(decoding: [h, l], as: UTF8.self), radix: 16)!)
        }
        return out
    }
}
