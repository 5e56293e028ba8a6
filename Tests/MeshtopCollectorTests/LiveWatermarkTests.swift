import Foundation
import MeshtopModel
import Testing

@testable import MeshtopCollector

/// A wall clock the test moves by hand.
final class SteppedClock: @unchecked Sendable {
    private let lock = NSLock()
    private var now: Int64

    init(_ start: Int64) { now = start }

    var wallClock: WallClock { WallClock { [self] in lock.withLock { now } } }

    func set(_ micros: Int64) { lock.withLock { now = micros } }
}

/// Burst, then quiet (issue 11): 120 Zipkin calls web → db, 72 failed, inside 1.2 s of event time, then nothing.
/// The breaker must open once the clock is the lateness bound past the burst, with no further traffic.
@Suite struct LiveWatermarkCollectorTests {
    static func burst(endingFrom start: Int64) -> [[UInt8]] {
        (0..<12).map { d in
            let spans = (0..<10).map { j -> String in
                let i = d * 10 + j
                let end = start + Int64(i) * 10_000
                let error = i % 5 < 3 ? #", "tags": {"error": "timeout"}"# : ""
                return #"{"traceId": "00000000000000000000000000\#(String(format: "%06x", i + 1))", "#
                    + #""id": "00000000000000\#(String(format: "%02x", i + 1))", "name": "query", "kind": "CLIENT", "#
                    + #""timestamp": \#(end - 5_000), "duration": 5000, "localEndpoint": {"serviceName": "web"}, "#
                    + #""remoteEndpoint": {"serviceName": "db"}\#(error)}"#
            }
            return Array(("[" + spans.joined(separator: ", ") + "]").utf8)
        }
    }

    @Test func aBurstThenQuietOpensTheBreakerWithoutMoreTraffic() async throws {
        let start = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let clock = SteppedClock(start)
        let h = try await Harness {
            $0.wallClock = clock.wallClock
            $0.evaluationIntervalMicros = 100_000
        }
        let lastEnd = start + 119 * 10_000
        clock.set(lastEnd)
        try await h.send(Self.burst(endingFrom: start))
        try await h.waitUntil { ((try? h.rows("SELECT 1 FROM spans").count) ?? 0) == 120 }
        // The clock moves past the lateness bound (2 s) and nothing else arrives.
        clock.set(lastEnd + 2_500_000)
        try await h.waitUntil {
            ((try? h.rows("SELECT 1 FROM breakers WHERE caller = 'web' AND callee = 'db' AND state = 'open'").count)
                ?? 0) == 1
        }
        await h.collector.stop()
        let t = try h.rows("SELECT at_us, calls, failed_calls FROM breaker_transitions WHERE to_state = 'open'")
        #expect(t.count == 1)
        #expect(t.first?["at_us"] as Int64? == start + 99 * 10_000)
        #expect(t.first?["calls"] as Int64? == 100)
        #expect(t.first?["failed_calls"] as Int64? == 60)
    }
}
