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
        let dir = TempDir()
        defer { dir.cleanup() }
        let log = dir.file("app.log")
        append(Self.javaTrace, to: log)
        let rx = UDPReceiver()
        defer { rx.stop() }
        var config = testConfig(rx, paths: [log])
        config.fromStart = true
        config.multilinePattern = #"^\d{4}-\d\d-\d\d "#
        let agent = try Agent(config: config)
        agent.start()
        defer { agent.stop() }
        #expect(eventually { rx.records.count >= 2 })
        usleep(100_000)
        let records = rx.records
        #expect(records.count == 2)
        let lines = Self.javaTrace.split(separator: "\n").map(String.init)
        #expect(records.first?["msg"] as? String == lines[0...6].joined(separator: "\n"))
        #expect(records.first?["level"] as? String == "error")
        #expect(records.first?["lines"] as? Int == 7)
        #expect(records.last?["msg"] as? String == lines[7])
        #expect(agent.stats.linesRead == 8)
        #expect(agent.stats.linesSent == 2)
    }

    @Test func indentationRuleJoinsWithoutAPattern() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let log = dir.file("app.log")
        let text = "Exception in thread main\n\tat a.B.c(B.java:1)\nCaused by: x\n\tat d.E.f(E.java:2)\nplain line\n"
        append(text, to: log)
        let rx = UDPReceiver()
        defer { rx.stop() }
        var config = testConfig(rx, paths: [log])
        config.fromStart = true
        let agent = try Agent(config: config)
        agent.start()
        defer { agent.stop() }
        #expect(eventually { rx.messages.count >= 2 })
        usleep(100_000)
        #expect(rx.messages == [
            "Exception in thread main\n\tat a.B.c(B.java:1)\nCaused by: x\n\tat d.E.f(E.java:2)", "plain line",
        ])
    }

    @Test func oversizedLineIsCutAtACharacterBoundaryAndFlagged() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let log = dir.file("app.log")
        append("", to: log)
        let rx = UDPReceiver()
        defer { rx.stop() }
        var config = testConfig(rx, paths: [log])
        config.maxLine = 100
        let agent = try Agent(config: config)
        agent.start()
        defer { agent.stop() }
        #expect(eventually { agent.stats.filesFollowed == 1 })
        // 99 ASCII bytes then "é" (2 bytes) straddles the 100-byte limit; 5,000 more bytes follow.
        let long = String(repeating: "x", count: 99) + "é" + String(repeating: "y", count: 5_000)
        append("first\n" + long + "\nafter\n", to: log)
        #expect(eventually { rx.messages.count >= 3 })
        usleep(100_000)
        #expect(rx.messages == ["first", String(repeating: "x", count: 99), "after"])
        #expect(rx.records[1]["truncated"] as? Bool == true)
        #expect(rx.records[0]["truncated"] == nil)
        #expect(agent.stats.truncated == 1)
        #expect(agent.stats.linesRead == 3)
    }

    @Test func restartFromTheStateFileNeitherRepeatsNorSkips() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let log = dir.file("app.log")
        let statePath = dir.file("agent.state")
        append(numbered("before", 1...3), to: log)
        let rx = UDPReceiver()
        defer { rx.stop() }
        var config = testConfig(rx, paths: [log])
        config.statePath = statePath
        let first = try Agent(config: config)
        first.start()
        #expect(eventually { first.stats.filesFollowed == 1 })
        append(numbered("a", 1...100), to: log)
        append("a-partial-", to: log)
        #expect(eventually { rx.messages.count >= 100 })
        first.stop()
        let saved = try StateFile(path: statePath).load()
        #expect(saved.count == 1)
        let size = Int64(numbered("before", 1...3).utf8.count + numbered("a", 1...100).utf8.count)
        #expect(saved.first?.offset == size)
        // While stopped: the partial line completes and more lines arrive.
        append("end\n" + numbered("b", 1...50), to: log)
        let second = try Agent(config: config)
        second.start()
        defer { second.stop() }
        #expect(eventually { rx.messages.count >= 151 })
        usleep(100_000)
        #expect(rx.messages == names("a", 1...100) + ["a-partial-end"] + names("b", 1...50))
    }

    @Test func fileReplacedWhileStoppedIsReadFromItsStart() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let log = dir.file("app.log")
        let statePath = dir.file("agent.state")
        append("", to: log)
        let rx = UDPReceiver()
        defer { rx.stop() }
        var config = testConfig(rx, paths: [log])
        config.statePath = statePath
        let first = try Agent(config: config)
        first.start()
        #expect(eventually { first.stats.filesFollowed == 1 })
        append(numbered("a", 1...10), to: log)
        #expect(eventually { rx.messages.count >= 10 })
        first.stop()
        #expect(rename(log, dir.file("app.log.1")) == 0)
        append(numbered("b", 1...5), to: log)
        let second = try Agent(config: config)
        second.start()
        defer { second.stop() }
        #expect(eventually { rx.messages.count >= 15 })
        usleep(100_000)
        #expect(rx.messages == names("a", 1...10) + names("b", 1...5))
    }

    @Test func stdinLinesAreShippedAndTheAgentEndsWithTheInput() async throws {
        let rx = UDPReceiver()
        defer { rx.stop() }
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        var config = testConfig(rx, paths: [])
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
        #expect(eventually { rx.lines.count >= 3 })
        #expect(rx.lines[0] == #"{"service":"stdin","level":"warn","msg":"j"}"#)
        #expect(rx.lines[1] == "ts=1 msg=k service=stdin")
        #expect(rx.messages.last == "plain")
    }

    @Test func selfReportIsSentAsStatsD() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let log = dir.file("app.log")
        append("", to: log)
        let rx = UDPReceiver()
        defer { rx.stop() }
        var config = testConfig(rx, paths: [log])
        config.statsInterval = 100_000_000
        let agent = try Agent(config: config)
        agent.start()
        defer { agent.stop() }
        #expect(eventually { agent.stats.filesFollowed == 1 })
        append(numbered("a", 1...7), to: log)
        let tags = "|#service:meshtop-agent,host:testhost"
        let sent = "meshtop.agent.lines_sent:7|c" + tags
        #expect(eventually { rx.allLines.contains(sent) })
        #expect(rx.allLines.contains("meshtop.agent.files_followed:1|g" + tags))
        #expect(rx.allLines.contains("meshtop.agent.bytes_read:\(numbered("a", 1...7).utf8.count)|c" + tags))
    }
}
