import Foundation
import Testing

@testable import MeshtopGovernance

/// A rules file is hand-written: its size and entry count are bounded before YAML composition (issue 15 item 9;
/// a 50 MB file took 45 s and 1.3 GB before the listeners bound).
@Suite struct RulesBoundsTests {
    static func errorOf(_ yaml: String) -> RulesError? {
        do {
            _ = try RuleSet.parse(yaml: yaml)
            return nil
        } catch {
            return error
        }
    }

    static func rule(_ i: Int) -> String {
        "  - {name: R\(i), signal: rps, op: '>', threshold: 1}\n"
    }

    @Test func aFileOverOneMiBIsRefusedBeforeParsing() {
        // Invalid YAML past the limit: a parse would report a syntax error, the bound reports the size.
        let yaml = "rules: [" + String(repeating: "x", count: RuleSet.maxFileBytes)
        let start = Date()
        let error = Self.errorOf(yaml)
        #expect(error == .fileTooLarge(bytes: RuleSet.maxFileBytes + 8, limit: 1_048_576))
        #expect(Date().timeIntervalSince(start) < 0.5)
        let message = error?.description ?? ""
        #expect(message.contains("over the limit of 1048576 bytes (1 MiB)") && message.contains("use globs"))
    }

    @Test func moreThanTenThousandBlockEntriesAreRefusedBeforeParsing() {
        // 10,001 entries in under 1 MiB (each line ~25 bytes): only the count stops it.
        let yaml = "rules:\n" + (0...RuleSet.maxEntries).map { "  - R\($0)\n" }.joined()
        #expect(yaml.utf8.count < RuleSet.maxFileBytes)
        let start = Date()
        let error = Self.errorOf(yaml)
        #expect(error == .tooManyEntries(count: 10_001, limit: 10_000))
        #expect(Date().timeIntervalSince(start) < 0.5, "counted before composing the YAML")
        #expect(error?.description.contains("10001 entries") == true)
        #expect(error?.description.contains("over the limit of 10000") == true)
    }

    @Test func flowStyleEntriesAreCountedAfterParsing() {
        let entries = (0...RuleSet.maxEntries).map { "{match: s\($0)}" }.joined(separator: ", ")
        let yaml = "services: [" + entries + "]\n"
        #expect(Self.errorOf(yaml) == .tooManyEntries(count: 10_001, limit: 10_000))
    }

    @Test func tenThousandEntriesAreAccepted() throws {
        let yaml = "rules:\n" + (1...RuleSet.maxEntries).map(Self.rule).joined()
        #expect(try RuleSet.parse(yaml: yaml).rules.count == 10_000)
        #expect(RulesParser.blockListItems("a:\n  - x\n  -\n- y\n  # - no\n  -z\n---\n".utf8) == 3)
    }
}
