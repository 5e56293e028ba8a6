import Foundation
import Glibc
import Testing

@testable import MeshtopAgent

/// The agent against real files and a real UDP receiver: every line arrives exactly once, in order.
@Suite struct AgentFollowTests {
    @Test func appendedLinesAreShippedButExistingContentIsNot() throws {
        let h = Harness(createLog: false)
        defer { h.finish() }
        // The last line is still being written when the agent starts: it is shipped whole once finished.
        append(numbered("old", 1...5) + "a-", to: h.log)
        try h.start()
        append("0\n" + numbered("a", 1...200), to: h.log)
        h.expectMessages(["a-0"] + names("a", 1...200))
        let first = try #require(h.rx.records.first)
        #expect(first["service"] as? String == "test")
        #expect(first["host"] as? String == "testhost")
        #expect(first["level"] as? String == "info")
        #expect(first["file"] as? String == h.log)
        #expect(first["time"] as? String == "2026-11-18T11:06:40.000000Z")
    }

    @Test func renameRotationDrainsTheOldFileThenReadsTheNewOne() throws {
        let h = Harness()
        defer { h.finish() }
        try h.start { $0.pollInterval = 150_000_000 }
        append(numbered("a", 1...50), to: h.log)
        #expect(eventually { h.rx.messages.count >= 50 })
        // logrotate `create`: rename, the application still writes to the old file (more than one read buffer,
        // so the switch must wait until the old file is drained), then a new file appears.
        let late = "a" + String(repeating: "-", count: 40)
        #expect(rename(h.log, h.dir.file("app.log.1")) == 0)
        append(numbered(late, 1...10_000), to: h.dir.file("app.log.1"))
        append(numbered("b", 1...40), to: h.log)
        h.expectMessages(names("a", 1...50) + names(late, 1...10_000) + names("b", 1...40))
    }

    @Test func rotationUnderAGlobDoesNotReadTheRenamedFileTwice() throws {
        let h = Harness()
        defer { h.finish() }
        try h.start([h.log + "*"])
        append(numbered("a", 1...50), to: h.log)
        #expect(eventually { h.rx.messages.count >= 50 })
        #expect(rename(h.log, h.dir.file("app.log.1")) == 0)
        append(numbered("a", 51...55), to: h.dir.file("app.log.1"))
        append(numbered("b", 1...40), to: h.log)
        #expect(eventually { h.rx.messages.count >= 95 })
        usleep(200_000)
        append(numbered("a", 56...60), to: h.dir.file("app.log.1"))
        append(numbered("b", 41...45), to: h.log)
        #expect(eventually { h.rx.messages.count >= 105 })
        usleep(100_000)
        let all = h.rx.messages
        #expect(all.filter { $0.hasPrefix("a-") } == names("a", 1...60))
        #expect(all.filter { $0.hasPrefix("b-") } == names("b", 1...45))
        #expect(all.count == 105)
    }

    @Test func copytruncateRestartsAtZero() throws {
        let h = Harness()
        defer { h.finish() }
        try h.start()
        append(numbered("a", 1...50), to: h.log)
        #expect(eventually { h.rx.messages.count >= 50 })
        #expect(truncate(h.log, 0) == 0)
        usleep(50_000)
        append(numbered("b", 1...20), to: h.log)
        h.expectMessages(names("a", 1...50) + names("b", 1...20))
    }

    @Test func truncateAndRegrowPastTheOldOffsetIsDetectedByFingerprint() throws {
        let h = Harness()
        defer { h.finish() }
        try h.start { $0.pollInterval = 200_000_000 }
        append(numbered("a", 1...10), to: h.log)
        #expect(eventually { h.rx.messages.count >= 10 })
        // Truncate and write more than before within one poll interval: the size never looks smaller.
        close(open(h.log, O_WRONLY | O_TRUNC))
        append(numbered("bb", 1...30), to: h.log)
        h.expectMessages(names("a", 1...10) + names("bb", 1...30))
    }

    @Test func deletedAndRecreatedFileIsReadFromItsStart() throws {
        let h = Harness()
        defer { h.finish() }
        try h.start()
        append(numbered("a", 1...30), to: h.log)
        #expect(eventually { h.rx.messages.count >= 30 })
        #expect(unlink(h.log) == 0)
        usleep(50_000)
        append(numbered("b", 1...30), to: h.log)
        h.expectMessages(names("a", 1...30) + names("b", 1...30))
    }

    @Test func globPicksUpNewFilesFromTheirStart() throws {
        let h = Harness(createLog: false)
        defer { h.finish() }
        append("", to: h.dir.file("a.log"))
        append("not followed\n", to: h.dir.file("other.txt"))
        let agent = try h.start([h.dir.path + "/*.log"]) { $0.service = nil }
        append(numbered("a", 1...20), to: h.dir.file("a.log"))
        append(numbered("b", 1...20), to: h.dir.file("b.log"))
        #expect(eventually { h.rx.messages.count >= 40 })
        usleep(100_000)
        let records = h.rx.records
        func messages(of name: String) -> [String] {
            records.filter { $0["file"] as? String == h.dir.file(name) }.compactMap { $0["msg"] as? String }
        }
        #expect(messages(of: "a.log") == names("a", 1...20))
        #expect(messages(of: "b.log") == names("b", 1...20))
        #expect(records.count == 40)
        #expect(Set(records.compactMap { $0["service"] as? String }) == ["a", "b"])
        #expect(agent.stats.filesFollowed == 2)
    }
}
