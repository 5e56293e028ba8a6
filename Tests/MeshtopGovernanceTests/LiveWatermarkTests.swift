import MeshtopModel
import Testing

@testable import MeshtopGovernance

/// Burst, then quiet: 120 calls web → db, 60 % failed, within 1.2 s of event time, and no traffic after.
@Suite struct LiveWatermarkTests {
    let s: Int64 = 1_000_000
    let base: Int64 = 1_800_000_000_000_000

    /// Call i ends at base + i × 10 ms and fails when i % 5 < 3: 72 of 120 fail.
    func burst() -> [Span] {
        var spans: [Span] = []
        for i in 0..<120 {
            let failed = i % 5 < 3
            spans += callSpans(
                UInt64(i + 1), caller: "web", callee: "db", end: base + Int64(i) * 10_000, failed: failed)
        }
        return spans
    }

    /// Event time alone never feeds the last 2 s of the burst: the watermark does not move without traffic.
    @Test func eventTimeAloneWaitsForTraffic() {
        let e = GovernanceEngine()
        for x in burst() { e.ingest(span: x) }
        var opened = false
        for k in 1...20 {
            let out = e.tick(nowMicros: base + Int64(k) * 5 * s)
            opened = opened || out.breakerTransitions.contains { $0.to == .open }
        }
        #expect(!opened)
        #expect(e.stats.pendingCalls > 0)
    }

    /// Live ticks feed every call that ended `breakerLatenessMicros` before the clock: the breaker opens at the
    /// first tick at least 2 s after the burst's last call, with the known window (100 calls, 60 failed).
    @Test func liveTicksOpenTheBreakerAfterTheBurst() {
        let e = GovernanceEngine()
        for x in burst() { e.ingest(span: x) }
        let lastEnd = base + 119 * 10_000
        // Ticks every 5 s from 1 s after the burst began: at 1 s (too early), then at 6 s.
        var out = e.tick(nowMicros: base + 1 * s, live: true)
        #expect(out.breakerTransitions.isEmpty)
        out = e.tick(nowMicros: base + 6 * s, live: true)
        #expect(base + 6 * s <= lastEnd + 5 * s + 3 * s)  // within eval-interval + 3 s of the burst
        let opened = out.breakerTransitions.filter { $0.to == .open }
        #expect(opened.count == 1)
        let t = opened[0]
        #expect(t.caller == "web" && t.callee == "db")
        // Resilience4j default: 100-call count window, minimum 100 calls: it decides at call 100 (index 99).
        #expect(t.atMicros == base + 99 * 10_000)
        #expect(t.calls == 100 && t.failedCalls == 60 && t.failureRate == 60)
        #expect(out.breakers.first { $0.callee == "db" }?.state == .open)
        // The 20 calls after the transition reached the breaker too (OPEN: would_reject).
        #expect(out.breakers.first { $0.callee == "db" }?.wouldReject == 20)
        #expect(e.stats.pendingCalls == 0)
    }

    /// The clock floor never holds back event time: a watermark ahead of the clock still feeds as before.
    @Test func liveFloorOnlyAddsToEventTime() {
        let e = GovernanceEngine()
        for x in burst() { e.ingest(span: x) }
        for x in callSpans(999, caller: "other", callee: "x", end: base + 10 * s, failed: false) { e.ingest(span: x) }
        let out = e.tick(nowMicros: base - 60 * s, live: true)
        #expect(out.breakerTransitions.contains { $0.callee == "db" && $0.to == .open })
    }
}
