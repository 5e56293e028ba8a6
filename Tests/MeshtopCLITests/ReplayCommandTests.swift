import Foundation
import MeshtopModel
import MeshtopStore
import Testing

/// `meshtop replay` run as the real binary: JSON that parses, 2 for a bad `--rules`, 3 for a missing database.
@Suite struct ReplayCommandTests {
    @Test func jsonParsesAndBadInputsExitWithTheDocumentedCodes() throws {
        guard let bin = MeshtopBinary.require() else { return }
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = dir + "/m.db"
        let now = SystemClock.wallMicros()
        let spans = (0..<30).map { i -> Span in
            let n = UInt64(i + 1)
            return Span(
                traceID: TraceID(high: 2, low: n), spanID: SpanID(n), parentID: nil, service: "web", name: "q",
                kind: .client, startMicros: now - 120_000_000 + Int64(i) * 100_000, durationMicros: 5_000,
                isError: true, peerService: "db")
        }
        do {
            let store = try MeshtopStore.open(path: db)
            try store.write(WriteBatch(spans: spans))
        }
        let rules = dir + "/rules.yaml"
        try "breakers:\n  - callee: db\n    preset: sentinel\n".write(toFile: rules, atomically: true, encoding: .utf8)

        let ok = try runMeshtop(bin, ["replay", "--rules", rules, "--since", "10m", "--format", "json", "--db", db])
        #expect(ok.status == 0, "\(ok)")
        let object = try JSONSerialization.jsonObject(with: Data(ok.stdoutBytes)) as? [String: Any]
        #expect(object?["spans"] as? Int == 30, "\(ok)")
        let transitions = object?["transitions"] as? [[String: Any]] ?? []
        #expect(transitions.contains { $0["kind"] as? String == "breaker" && $0["to"] as? String == "open" }, "\(ok)")

        try "breakers: [oops\n".write(toFile: rules, atomically: true, encoding: .utf8)
        let bad = try runMeshtop(bin, ["replay", "--rules", rules, "--db", db])
        #expect(bad.status == 2, "\(bad)")
        #expect(bad.stderr.contains("--rules"), "\(bad)")

        let good = dir + "/good.yaml"
        try "breakers: []\n".write(toFile: good, atomically: true, encoding: .utf8)
        let missing = try runMeshtop(bin, ["replay", "--rules", good, "--db", dir + "/none.db"])
        #expect(missing.status == 3, "\(missing)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/none.db"))
    }
}
