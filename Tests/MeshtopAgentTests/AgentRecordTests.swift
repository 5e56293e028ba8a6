import Foundation
import Glibc
import Testing

@testable import MeshtopAgent

/// Multi-line joining, line caps, restarts from the state file, stdin and the self-report, end to end.
@Suite struct AgentRecordTests {
    static let javaTrace = """
        2026-11-27 03:00:00 ERROR request failed
        java.lang.IllegalStateException: boom
        \tat com.example.Api.handle(Api.java:42)
        \tat com.example.Server.run(Server.java:7)
        Caused by: java.io.IOException: closed
        \tat com.example.Db.query(Db.java:3)
        \t... 2 more
        2026-11-27 03:00:01 INFO next request

        """

    @Test func javaStackTraceIsOneRecord() throws {
        let h = Harness(createLog: false)
        defer { h.finish() }
        append(Self.javaTrace, to: h.log)
        let agent = try h.start {
            $0.fromStart = true
            $0.multilinePattern = #"^\d{4}-\d\d-\d\d "#
        }
        let lines = Self.javaTrace.split(separator: "\n").map(String.init)
        h.expectMessages([lines[0...6].joined(separator: "\n"), lines[7]])
        #expect(h.rx.records.first?["level"] as? String == "error")
        #expect(h.rx.records.first?["lines"] as? Int == 7)
        #expect(agent.stats.linesRead == 8)
        #expect(agent.stats.linesSent == 2)
    }

    @Test func indentationRuleJoinsWithoutAPattern() throws {
        let h = Harness(createLog: false)
        let text = "Exception in thread main\n\tat a.B.c(B.java:1)\nCaused by: x\n\tat d.E.f(E.java:2)\nplain line\n"
        append(text, to: h.log)
        defer { h.finish() }
        try h.start { $0.fromStart = true }
        let trace = "Exception in thread main\n\tat a.B.c(B.java:1)\nCaused by: x\n\tat d.E.f(E.java:2)"
        h.expectMessages([trace, "plain line"])
    }

    @Test func oversizedLineIsCutAtACharacterBoundaryAndFlagged() throws {
        let h = Harness()
        defer { h.finish() }
        let agent = try h.start { $0.maxLine = 100 }
        // 99 ASCII bytes then "é" (2 bytes) straddles the 100-byte limit; 5,000 more bytes follow.
        let long = String(repeating: "x", count: 99) + "é" + String(repeating: "y", count: 5_000)
        append("first\n" + long + "\nafter\n", to: h.log)
        h.expectMessages(["first", String(repeating: "x", count: 99), "after"])
        #expect(h.rx.records[1]["truncated"] as? Bool == true)
        #expect(h.rx.records[0]["truncated"] == nil)
        #expect(agent.stats.truncated == 1)
        #expect(agent.stats.linesRead == 3)
    }

    @Test func restartFromTheStateFileNeitherRepeatsNorSkips() throws {
        let h = Harness(createLog: false)
        defer { h.finish() }
        let statePath = h.dir.file("agent.state")
        append(numbered("before", 1...3), to: h.log)
        let first = try h.start { $0.statePath = statePath }
        append(numbered("a", 1...100), to: h.log)
        append("a-partial-", to: h.log)
        #expect(eventually { h.rx.messages.count >= 100 })
        first.stop()
        let saved = try StateFile(path: statePath).load()
        #expect(saved.count == 1)
        let size = Int64(numbered("before", 1...3).utf8.count + numbered("a", 1...100).utf8.count)
        #expect(saved.first?.offset == size)
        // While stopped: the partial line completes and more lines arrive.
        append("end\n" + numbered("b", 1...50), to: h.log)
        try h.start { $0.statePath = statePath }
        h.expectMessages(names("a", 1...100) + ["a-partial-end"] + names("b", 1...50))
    }

    @Test func pendingMultiLineRecordAtStopIsShippedWholeAfterRestart() throws {
        let h = Harness()
        defer { h.finish() }
        let statePath = h.dir.file("agent.state")
        let first = try h.start {
            $0.statePath = statePath
            $0.idleFlush = 60_000_000_000
        }
        append("one\ntwo\n\tat x\n", to: h.log)
        #expect(eventually { h.rx.messages == ["one"] })
        #expect(eventually { first.stats.linesRead == 3 })
        first.stop()
        // "two" and its continuation were read but never sent: the checkpoint stays just after "one".
        #expect(try StateFile(path: statePath).load().first?.offset == 4)
        append("\tat y\nthree\n", to: h.log)
        try h.start { $0.statePath = statePath }
        h.expectMessages(["one", "two\n\tat x\n\tat y", "three"])
    }

    @Test func fileReplacedWhileStoppedIsReadFromItsStart() throws {
        let h = Harness()
        defer { h.finish() }
        let statePath = h.dir.file("agent.state")
        let first = try h.start { $0.statePath = statePath }
        append(numbered("a", 1...10), to: h.log)
        #expect(eventually { h.rx.messages.count >= 10 })
        first.stop()
        #expect(rename(h.log, h.dir.file("app.log.1")) == 0)
        append(numbered("b", 1...5), to: h.log)
        try h.start { $0.statePath = statePath }
        h.expectMessages(names("a", 1...10) + names("b", 1...5))
    }

    @Test func stdinLinesAreShippedAndTheAgentEndsWithTheInput() async throws {
        let h = Harness(createLog: false)
        defer { h.finish() }
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        var config = testConfig(h.rx, paths: [])
        config.readStdin = true
        config.stdinDescriptor = fds[0]
        config.service = nil
        let agent = try Agent(config: config)
        agent.start()
        let text = #"{"level":"warn","msg":"j"}"# + "\nts=1 msg=k\nplain\n"
        _ = text.withCString { write(fds[1], $0, strlen($0)) }
        close(fds[1])
        await agent.waitUntilFinished()
        close(fds[0])
        #expect(eventually { h.rx.lines.count >= 3 })
        let lines = h.rx.lines
        #expect(lines.count == 3)
        #expect(lines.first == #"{"service":"stdin","level":"warn","msg":"j"}"#)
        #expect(lines.dropFirst().first == "ts=1 msg=k service=stdin")
        #expect(h.rx.messages.last == "plain")
    }

    @Test func selfReportIsSentAsStatsD() throws {
        let h = Harness()
        defer { h.finish() }
        try h.start { $0.statsInterval = 100_000_000 }
        append(numbered("a", 1...7), to: h.log)
        let tags = "|#service:meshtop-agent,host:testhost"
        #expect(eventually { h.rx.allLines.contains("meshtop.agent.lines_sent:7|c" + tags) })
        #expect(h.rx.allLines.contains("meshtop.agent.files_followed:1|g" + tags))
        #expect(h.rx.allLines.contains("meshtop.agent.bytes_read:\(numbered("a", 1...7).utf8.count)|c" + tags))
    }

    @Test func rateLimitHoldsLinesBackWithoutDroppingThem() throws {
        let h = Harness()
        defer { h.finish() }
        try h.start { $0.rate = 10 }
        append(numbered("a", 1...30), to: h.log)
        // A full bucket lets 10 go at once; the other 20 trickle out at 10/s, over 2 s.
        #expect(eventually { h.rx.messages.count >= 10 })
        #expect(h.rx.messages.count < 30)
        h.expectMessages(names("a", 1...30))
    }
}

/// The collector going away and coming back.
@Suite struct AgentUnreachableTests {
    @Test func linesWaitWhileTheCollectorIsAwayAndFollowInOrder() throws {
        let h = Harness()
        defer { h.finish() }
        let port = h.rx.port
        h.rx.close()
        let agent = try h.start {
            $0.initialBackoff = 20_000_000
            $0.maxBackoff = 50_000_000
        }
        append(numbered("a", 1...60), to: h.log)
        // The first datagram draws the ICMP error; the next sends fail with ECONNREFUSED and are kept.
        #expect(eventually { agent.stats.sendErrors >= 2 })
        #expect(agent.stats.linesSent < 60)
        let back = UDPReceiver(port: port)
        defer { back.close() }
        append(numbered("a", 61...70), to: h.log)
        #expect(eventually { back.messages.last == "a-70" })
        usleep(100_000)
        let got = back.messages
        // Whatever was lost is the one datagram sent before the error showed; the rest is complete and in order.
        #expect(got.count >= 50)
        #expect(got == names("a", (71 - got.count)...70))
        #expect(agent.stats.linesSent == 70)
    }
}
