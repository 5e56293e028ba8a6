import Foundation
import Glibc
import Testing

@testable import MeshtopAgent

/// inotify wakes the agent on change (issue 15 item 7). The tests with a 5 s poll and rescan interval finish
/// well within one interval, so only inotify can explain their lines arriving.
/// `MESHTOP_TEST_NO_INOTIFY=1 swift test --filter AgentInotifyTests` runs them with inotify off: those then fail,
/// which shows they test inotify and not polling.
@Suite struct AgentInotifyTests {
    static let inotify = ProcessInfo.processInfo.environment["MESHTOP_TEST_NO_INOTIFY"] == nil
    static let longInterval: UInt64 = 5_000_000_000

    /// Polling only every 5 s: whatever arrives sooner was seen through inotify.
    static func slowPolling(_ c: inout AgentConfig) {
        c.useInotify = inotify
        c.pollInterval = longInterval
        c.rescanInterval = longInterval
    }

    /// Deletes `path` and creates it again with two lines, 5 times, 50 ms apart; returns the lines written.
    static func deleteAndRecreate(_ path: String) -> [String] {
        var written: [String] = []
        for g in 1...5 {
            #expect(unlink(path) == 0)
            append("g\(g)-1\n", to: path)
            append("g\(g)-2\n", to: path)
            written += ["g\(g)-1", "g\(g)-2"]
            usleep(50_000)
        }
        return written
    }

    /// Waits (at most 3 s, less than one poll interval) until `count` messages arrived, lets stragglers come.
    static func messagesSeenBeforeAPoll(_ h: Harness, count: Int) -> [String] {
        #expect(eventually(timeout: 3) { h.rx.messages.count >= count })
        usleep(100_000)
        return h.rx.messages
    }

    @Test func quickDeleteAndRecreateShipsEveryLineOnceWithoutWaitingForAPoll() throws {
        let h = Harness()
        defer { h.finish() }
        try h.start(nil, Self.slowPolling)
        let begun = Date()
        let written = Self.deleteAndRecreate(h.log)
        #expect(Self.messagesSeenBeforeAPoll(h, count: written.count) == written)
        #expect(Date().timeIntervalSince(begun) < 4.5)
        // Stopping does not wait for the 5 s poll either.
        let stopping = Date()
        h.finish()
        #expect(Date().timeIntervalSince(stopping) < 2)
    }

    @Test func pollingFallbackShipsQuickDeleteAndRecreateWithAShortPoll() throws {
        let h = Harness()
        defer { h.finish() }
        try h.start { $0.useInotify = false }
        let written = Self.deleteAndRecreate(h.log)
        h.expectMessages(written)
    }

    @Test func appendedLinesAreShippedWithoutWaitingForAPoll() throws {
        let h = Harness()
        defer { h.finish() }
        try h.start(nil, Self.slowPolling)
        append(numbered("a", 1...20), to: h.log)
        #expect(Self.messagesSeenBeforeAPoll(h, count: 20) == names("a", 1...20))
    }

    @Test func newFilesUnderAGlobArePickedUpWithoutWaitingForARescan() throws {
        let h = Harness()
        defer { h.finish() }
        try h.start([h.dir.path + "/*.log"], Self.slowPolling)
        // Created under the name, and renamed into it (IN_CREATE, IN_MOVED_TO).
        append(numbered("b", 1...5), to: h.dir.file("b.log"))
        append(numbered("c", 1...5), to: h.dir.file("c.tmp"))
        #expect(rename(h.dir.file("c.tmp"), h.dir.file("c.log")) == 0)
        let got = Self.messagesSeenBeforeAPoll(h, count: 10)
        #expect(got.filter { $0.hasPrefix("b-") } == names("b", 1...5))
        #expect(got.filter { $0.hasPrefix("c-") } == names("c", 1...5))
        #expect(got.count == 10)
    }

    @Test func renameRotationIsFollowedWithoutWaitingForAPoll() throws {
        let h = Harness()
        defer { h.finish() }
        try h.start(nil, Self.slowPolling)
        append(numbered("a", 1...5), to: h.log)
        #expect(rename(h.log, h.dir.file("app.log.1")) == 0)
        append(numbered("a", 6...8), to: h.dir.file("app.log.1"))
        append(numbered("b", 1...5), to: h.log)
        #expect(Self.messagesSeenBeforeAPoll(h, count: 13) == names("a", 1...8) + names("b", 1...5))
    }
}
