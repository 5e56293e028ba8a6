import Foundation
import Logging
import MeshtopModel
import Testing

@testable import MeshtopCollector

@Suite struct GovernanceHookTests {
    static let transition = AlertTransition(
        rule: "orders-errors", severity: "critical", labels: [Attribute("service", .string("orders"))],
        from: .pending, to: .firing, atMicros: 1_795_733_245_727_775, value: 0.25, summary: "orders failing")

    @Test func onAlertGetsTheTransitionAsJSONOnStdin() throws {
        let dir = NSTemporaryDirectory() + "meshtop-hook-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let runner = AlertHookRunner(
            command: "cat > '\(dir)/alert.json'", timeoutMicros: 5_000_000, logger: Logger(label: "t"))
        runner.run(transition: Self.transition)
        runner.drain()
        let text = try String(contentsOfFile: dir + "/alert.json", encoding: .utf8)
        let at = RFC3339.format(micros: Self.transition.atMicros)
        #expect(
            text == """
                {"rule":"orders-errors","severity":"critical","labels":{"service":"orders"},"from":"pending",\
                "state":"firing","at":"\(at)","value":0.25,"summary":"orders failing"}

                """)
        #expect(at.hasSuffix(".727775Z"))
    }

    @Test func aHangingOrFailingHookIsKilledAndLaterHooksStillRun() throws {
        let dir = NSTemporaryDirectory() + "meshtop-hook-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let hang = AlertHookRunner(command: "sleep 30", timeoutMicros: 200_000, logger: Logger(label: "t"))
        hang.run(transition: Self.transition)
        hang.drain()
        let failing = AlertHookRunner(command: "exit 3", timeoutMicros: 5_000_000, logger: Logger(label: "t"))
        failing.run(transition: Self.transition)
        failing.drain()
        let after = AlertHookRunner(command: "cat > '\(dir)/ok'", timeoutMicros: 5_000_000, logger: Logger(label: "t"))
        after.run(transition: Self.transition)
        after.drain()
        #expect(FileManager.default.fileExists(atPath: dir + "/ok"))
    }

    @Test func reloadKeepsThePreviousRulesWhenTheFileIsBroken() async throws {
        let rulesPath = NSTemporaryDirectory() + "meshtop-rules-\(UUID().uuidString).yaml"
        defer { try? FileManager.default.removeItem(atPath: rulesPath) }
        let good = """
            rules:
              - name: orders-errors
                signal: error_rate
                op: ">"
                threshold: 0.05
                for: 0s

            """
        try good.write(toFile: rulesPath, atomically: true, encoding: .utf8)
        let h = try await Harness { $0.rulesPath = rulesPath }
        let broken = good + "  - name: broken\n    signl: error_rate\n"
        try broken.write(toFile: rulesPath, atomically: true, encoding: .utf8)
        #expect {
            try h.collector.reloadRules()
        } throws: { error in
            "\(error)".contains("line 8") && "\(error)".contains("signl")
        }
        try good.write(toFile: rulesPath, atomically: true, encoding: .utf8)
        try h.collector.reloadRules()
        try await h.sendAndStop([Array("<14>still running".utf8)])
        #expect(try h.rows("SELECT 1 FROM logs").count == 1)
    }

    @Test func aBrokenRulesFileStopsStartWithTheLine() async throws {
        let rulesPath = NSTemporaryDirectory() + "meshtop-rules-\(UUID().uuidString).yaml"
        defer { try? FileManager.default.removeItem(atPath: rulesPath) }
        try "rules:\n  - name: x\n    op: [\n".write(toFile: rulesPath, atomically: true, encoding: .utf8)
        await #expect {
            _ = try await Harness { $0.rulesPath = rulesPath }
        } throws: { error in
            guard case CollectorError.rules = error else { return false }
            return "\(error)".contains("line")
        }
    }
}
