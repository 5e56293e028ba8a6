import Foundation
import Glibc
import Testing

@testable import MeshtopAgent

/// The agent against real files and a real UDP receiver: every line arrives exactly once, in order.
@Suite struct AgentFollowTests {
    @Test func appendedLinesAreShippedButExistingContentIsNot() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let log = dir.file("app.log")
        append(numbered("old", 1...5), to: log)
        let rx = UDPReceiver()
        defer { rx.stop() }
        let agent = try Agent(config: testConfig(rx, paths: [log]))
        agent.start()
        defer { agent.stop() }
        #expect(eventually { agent.stats.filesFollowed == 1 })
        append(numbered("a", 1...200), to: log)
        #expect(eventually { rx.messages.count >= 200 })
        usleep(100_000)
        #expect(rx.messages == names("a", 1...200))
        let first = try #require(rx.records.first)
        #expect(first["service"] as? String == "test")
        #expect(first["host"] as? String == "testhost")
        #expect(first["file"] as? String == log)
        #expect(first["time"] as? String == "2026-11-18T11:06:40.000000Z")
    }

    @Test func renameRotationDrainsTheOldFileThenReadsTheNewOne() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let log = dir.file("app.log")
        append("", to: log)
        let rx = UDPReceiver()
        defer { rx.stop() }
        let agent = try Agent(config: testConfig(rx, paths: [log]))
        agent.start()
        defer { agent.stop() }
        #expect(eventually { agent.stats.filesFollowed == 1 })
        append(numbered("a", 1...50), to: log)
        #expect(eventually { rx.messages.count >= 50 })
        // logrotate `create`: rename, the application still writes a little to the old file, then a new file.
        #expect(rename(log, dir.file("app.log.1")) == 0)
        append(numbered("a", 51...60), to: dir.file("app.log.1"))
        usleep(30_000)
        append(numbered("b", 1...40), to: log)
        #expect(eventually { rx.messages.count >= 100 })
        usleep(100_000)
        #expect(rx.messages == names("a", 1...60) + names("b", 1...40))
    }

    @Test func copytruncateRestartsAtZero() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let log = dir.file("app.log")
        append("", to: log)
        let rx = UDPReceiver()
        defer { rx.stop() }
        let agent = try Agent(config: testConfig(rx, paths: [log]))
        agent.start()
        defer { agent.stop() }
        #expect(eventually { agent.stats.filesFollowed == 1 })
        append(numbered("a", 1...50), to: log)
        #expect(eventually { rx.messages.count >= 50 })
        #expect(truncate(log, 0) == 0)
        usleep(50_000)
        append(numbered("b", 1...20), to: log)
        #expect(eventually { rx.messages.count >= 70 })
        usleep(100_000)
        #expect(rx.messages == names("a", 1...50) + names("b", 1...20))
    }

    @Test func truncateAndRegrowPastTheOldOffsetIsDetectedByFingerprint() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let log = dir.file("app.log")
        append("", to: log)
        let rx = UDPReceiver()
        defer { rx.stop() }
        var config = testConfig(rx, paths: [log])
        config.pollInterval = 200_000_000
        let agent = try Agent(config: config)
        agent.start()
        defer { agent.stop() }
        #expect(eventually { agent.stats.filesFollowed == 1 })
        append(numbered("a", 1...10), to: log)
        #expect(eventually { rx.messages.count >= 10 })
        // Truncate and write more than before within one poll interval: the size never looks smaller.
        let fd = open(log, O_WRONLY | O_TRUNC)
        close(fd)
        append(numbered("bb", 1...30), to: log)
        #expect(eventually { rx.messages.count >= 40 })
        usleep(300_000)
        #expect(rx.messages == names("a", 1...10) + names("bb", 1...30))
    }

    @Test func deletedAndRecreatedFileIsReadFromItsStart() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let log = dir.file("app.log")
        append("", to: log)
        let rx = UDPReceiver()
        defer { rx.stop() }
        let agent = try Agent(config: testConfig(rx, paths: [log]))
        agent.start()
        defer { agent.stop() }
        #expect(eventually { agent.stats.filesFollowed == 1 })
        append(numbered("a", 1...30), to: log)
        #expect(eventually { rx.messages.count >= 30 })
        #expect(unlink(log) == 0)
        usleep(50_000)
        append(numbered("b", 1...30), to: log)
        #expect(eventually { rx.messages.count >= 60 })
        usleep(100_000)
        #expect(rx.messages == names("a", 1...30) + names("b", 1...30))
    }

    @Test func globPicksUpNewFilesFromTheirStart() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        append("", to: dir.file("a.log"))
        append("not followed\n", to: dir.file("other.txt"))
        let rx = UDPReceiver()
        defer { rx.stop() }
        var config = testConfig(rx, paths: [dir.path + "/*.log"])
        config.service = nil
        let agent = try Agent(config: config)
        agent.start()
        defer { agent.stop() }
        #expect(eventually { agent.stats.filesFollowed == 1 })
        append(numbered("a", 1...20), to: dir.file("a.log"))
        append(numbered("b", 1...20), to: dir.file("b.log"))
        #expect(eventually { rx.messages.count >= 40 })
        usleep(100_000)
        let records = rx.records
        let fromA = records.filter { $0["file"] as? String == dir.file("a.log") }.compactMap { $0["msg"] as? String }
        let fromB = records.filter { $0["file"] as? String == dir.file("b.log") }.compactMap { $0["msg"] as? String }
        #expect(fromA == names("a", 1...20))
        #expect(fromB == names("b", 1...20))
        #expect(records.count == 40)
        #expect(Set(records.compactMap { $0["service"] as? String }) == ["a", "b"])
        #expect(agent.stats.filesFollowed == 2)
    }
}
