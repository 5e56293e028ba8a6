import Foundation
import GRDB
import MeshtopNet
import MeshtopStore
import Testing

@testable import MeshtopCollector

/// A real full disk (a small tmpfs): failed commits are retried, counters describe exactly what was stored, and
/// once space comes back the kept batch is written. Needs root for `mount`; skipped with a message otherwise.
@Suite(.serialized) struct DiskFullTests {
    @Test func aFullDiskLosesNothingThatFitsTheQueueAndCountersMatchRows() async throws {
        let dir = NSTemporaryDirectory() + "meshtop-diskfull-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        guard run("/bin/mount", ["-t", "tmpfs", "-o", "size=16m", "tmpfs", dir]) == 0 else {
            print("skipped: cannot mount a tmpfs here (needs root): the disk-full test did not run")
            return
        }
        defer { _ = run("/bin/umount", ["-l", dir]) }
        var config = CollectorConfig()
        config.listen = [HostPort(host: "127.0.0.1", port: 0)]
        config.jaeger = nil
        config.batchWindowMicros = 50_000
        config.selfMetricsIntervalMicros = 100_000
        config.queueCapacity = 3_000
        config.governance = false
        let collector = Collector(config: config, databasePath: dir + "/meshtop.db")
        try await collector.start()
        // Leave ~100 KiB free, then send ~1.2 MB of logs: commits start failing.
        let filler = dir + "/filler"
        let free = try freeBytes(dir)
        #expect(
            run("/bin/dd", ["if=/dev/zero", "of=\(filler)", "bs=4096", "count=\(max(0, (free - 100_000) / 4096))"]) == 0
        )
        let socket = try UDPSender(target: collector.boundAddresses[0])
        let pad = String(repeating: "x", count: 180)
        for i in 0..<6_000 {
            _ = socket.send(Array("<14>1 - host disk - - - line \(i) \(pad)".utf8))
            if i % 500 == 499 { try await Task.sleep(nanoseconds: 20_000_000) }
        }
        try await waitUntil { collector.statistics["write_failing_us"] != nil }
        #expect(collector.statistics["write_failing_us"] != nil, "commits should fail on the full tmpfs")
        // Readers learn it from the lock file, rewritten in place (the database itself cannot take a write).
        let reader = try MeshtopStore.openReadOnly(path: dir + "/meshtop.db")
        #expect(
            reader.writerStatus()?.hasPrefix("disk full since ") == true, "\(String(describing: reader.writerStatus()))"
        )
        try FileManager.default.removeItem(atPath: filler)
        try await waitUntil { collector.statistics["write_failing_us"] == nil }
        #expect(reader.writerStatus() == nil, "the status clears once writes work again")
        try await waitUntil {
            let s = collector.statistics
            return (s["parsed.logs"] ?? 0) + (s["dropped"] ?? 0) >= 6_000
        }
        await collector.stop()

        let store = try MeshtopStore.openReadOnly(path: dir + "/meshtop.db")
        let counters = try store.counters()
        let rows = try store.read { db in try Int64.fetchOne(db, sql: "SELECT count(*) FROM logs") ?? 0 }
        #expect(counters["parsed.logs"] == rows, "parsed counts exactly the rows stored: \(counters)")
        #expect(
            (counters["parsed.logs"] ?? 0) + (counters["dropped"] ?? 0) == counters["lines"],
            "lines = parsed + dropped for one-record lines: \(counters)")
        #expect(counters["lines"] == 6_000)
        #expect(rows > 3_000, "a queue of 3,000 lines and a kept batch survive the episode: \(rows)")
        #expect((counters["write_retries"] ?? 0) > 0)
    }

    private func run(_ tool: String, _ args: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }

    private func freeBytes(_ path: String) throws -> Int {
        let attrs = try FileManager.default.attributesOfFileSystem(forPath: path)
        return (attrs[.systemFreeSize] as? NSNumber)?.intValue ?? 0
    }

    private func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<750 where !condition() {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }
}
