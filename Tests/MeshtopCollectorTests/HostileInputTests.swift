import Foundation
import GRDB
import Testing

@testable import MeshtopCollector

/// Nothing the network sends may stop the collector: every bad line is counted by reason and kept escaped.
@Suite struct HostileInputTests {
    @Test func badInputIsCountedByReasonAndTheCollectorKeepsRunning() async throws {
        let h = try await Harness()
        let thrift = try Fixture.datagrams("jaeger_thrift_trace")[0]
        var nested = [UInt8](repeating: UInt8(ascii: "["), count: 5_000)
        nested += [UInt8](repeating: UInt8(ascii: "]"), count: 5_000)
        let bad: [[UInt8]] = [
            [0xff, 0xfe, 0x41, 0x3a, 0x31, 0x7c, 0x63],  // invalid UTF-8
            Array(thrift.prefix(100)),  // truncated thrift
            [UInt8](repeating: UInt8(ascii: "x"), count: 65_000),  // one huge line
            Array("\u{1b}[2J\u{1b}]0;pwned\u{07}".utf8),  // terminal escape sequences
            nested,  // deeply nested JSON
            Array("{\"unterminated\": \"".utf8),  // malformed JSON
        ]
        var generator = SplitMix(seed: 42)
        let random = (0..<200).map { _ in
            (0..<Int(generator.next() % 1_400 + 1)).map { _ in UInt8(generator.next() & 0xff) }
        }
        try await h.send(random)
        let truncated = try Fixture.datagrams("jaeger_thrift_trace").map { Array($0.prefix(300)) }
        try await h.send(truncated, to: h.jaegerAddress)
        try await h.send(bad)
        // Still alive and parsing.
        try await h.sendAndStop([Array("alive.check:1|c".utf8)])
        let c = try h.counters()
        #expect(c["received_datagrams"] == Int64(bad.count + 3 + random.count + 1))
        #expect(c["rejected.invalid_utf8", default: 0] >= 1)
        #expect(c["rejected.malformed_thrift"] == 4)
        #expect(c["rejected.too_deep"] == 1)
        #expect(c["rejected.malformed_json"] == 1)
        #expect(c["rejected.unknown_format", default: 0] >= 2)
        #expect(c["parsed.metrics", default: 0] >= 1)
        #expect(try h.rows("SELECT 1 FROM metric_rollups WHERE name = 'alive.check'").count == 1)
        // Samples are stored escaped and capped: no raw control character reaches a terminal.
        let rejects = try h.store().recentRejects(limit: 100)
        #expect(!rejects.isEmpty)
        #expect(rejects.allSatisfy { r in !r.sample.unicodeScalars.contains { $0.value < 0x20 } })
        #expect(rejects.contains { $0.sample.contains("\\x1b[2J") })
        #expect(rejects.allSatisfy { $0.sample.utf8.count <= 4 * 512 })
        #expect(rejects.allSatisfy { $0.source.hasPrefix("udp from 127.0.0.1:") || $0.source.hasPrefix("jaeger from") })
    }

    @Test func allowListDropsOtherSourcesAndCountsThemDenied() async throws {
        let h = try await Harness { $0.allow = [CIDR("10.0.0.0/8")!, CIDR("fd00::/8")!] }
        try await h.sendAndStop([Array("denied.metric:1|c".utf8), Array("<14>hello".utf8)])
        let c = try h.counters()
        #expect(c["denied"] == 2)
        #expect(c["received_datagrams"] == nil)
        #expect(try h.rows("SELECT 1 FROM logs").isEmpty)
    }

    @Test func allowListAcceptsLoopbackWhenListed() async throws {
        let h = try await Harness { $0.allow = [CIDR("127.0.0.0/8")!] }
        try await h.sendAndStop([Array("<14>hello".utf8)])
        #expect(try h.counters()["denied"] == nil)
        #expect(try h.rows("SELECT 1 FROM logs").count == 1)
    }

    @Test func aPortInUseFailsWithABindErrorNamingTheAddress() async throws {
        let h = try await Harness()
        var config = CollectorConfig()
        config.listen = [h.lineAddress]
        config.jaeger = nil
        let second = Collector(config: config, databasePath: h.dir + "/second.db")
        do {
            try await second.start()
            Issue.record("second collector bound \(h.lineAddress) too")
            await second.stop()
        } catch let error as CollectorError {
            guard case .bind(let address, _, _) = error else {
                Issue.record("expected a bind error, got \(error)")
                return
            }
            #expect(address == h.lineAddress)
            #expect(error.description.contains("\(h.lineAddress)"))
            #expect(error.description.contains("already in use"))
        }
        await h.collector.stop()
    }
}

/// A small deterministic generator for the random-bytes test.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
