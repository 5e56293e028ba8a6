import MeshtopModel
import Testing

@testable import MeshtopGovernance

@Suite struct CircuitBreakerTests {
    let s: Int64 = 1_000_000

    /// Calls 1…100 at t = i s: 50 successes then 50 failures. At call 100 the window is full (100 ≥
    /// minimumNumberOfCalls) and the failure rate is 50 % ≥ 50 % → OPEN at 100 s.
    func tripped(_ t: inout [BreakerTransition]) -> CircuitBreaker {
        var b = CircuitBreaker(caller: "a", callee: "b")
        for i in 1...100 {
            b.record(endMicros: Int64(i) * s, durationMicros: 1000, failed: i > 50, transitions: &t)
            if i < 100 { #expect(b.currentState == .closed) }
        }
        return b
    }

    @Test func opensRejectsHalfOpensAndCloses() {
        var t: [BreakerTransition] = []
        var b = tripped(&t)
        #expect(t.count == 1)
        #expect(t[0].from == .closed && t[0].to == .open && t[0].atMicros == 100 * s)
        #expect(t[0].failureRate == 50 && t[0].slowCallRate == 0)
        #expect(t[0].calls == 100 && t[0].failedCalls == 50 && t[0].slowCalls == 0)
        // openedAt + wait = 160 s: calls at 101 … 160 s are rejected (not strictly after).
        for i in 101...160 {
            #expect(!b.record(endMicros: Int64(i) * s, durationMicros: 1000, failed: false, transitions: &t))
        }
        #expect(b.wouldReject == 60)
        #expect(b.currentState == .open)
        // 161 s: HALF_OPEN, and that call is the first of 10 permitted probes.
        b.record(endMicros: 161 * s, durationMicros: 1000, failed: false, transitions: &t)
        #expect(t.count == 2)
        #expect(t[1].from == .open && t[1].to == .halfOpen && t[1].atMicros == 161 * s)
        #expect(t[1].failureRate == nil && t[1].calls == 0)
        for i in 162...169 { b.record(endMicros: Int64(i) * s, durationMicros: 1000, failed: false, transitions: &t) }
        #expect(b.currentState == .halfOpen)
        #expect(b.status.callsInWindow == 9)
        #expect(b.status.failureRate == nil)
        // 10th probe: min(100, 10) calls recorded, 1 failed = 10 % < 50 % → CLOSED with a fresh window.
        b.record(endMicros: 170 * s, durationMicros: 1000, failed: true, transitions: &t)
        #expect(t.count == 3)
        #expect(t[2].from == .halfOpen && t[2].to == .closed && t[2].atMicros == 170 * s)
        #expect(t[2].failureRate == 10 && t[2].calls == 10 && t[2].failedCalls == 1)
        #expect(b.status.callsInWindow == 0)
        #expect(b.status.transitions == 3)
        #expect(b.status.sinceMicros == 170 * s)
    }

    @Test func halfOpenReopensOnFailedProbes() {
        var t: [BreakerTransition] = []
        var b = tripped(&t)
        for i in 161...170 {
            b.record(endMicros: Int64(i) * s, durationMicros: 1000, failed: i % 2 == 0, transitions: &t)
        }
        // 5 of 10 probes failed: 50 % ≥ 50 % → OPEN again at 170 s, new openedAt.
        #expect(t.map(\.to) == [.open, .halfOpen, .open])
        #expect(t[2].atMicros == 170 * s && t[2].failureRate == 50 && t[2].calls == 10 && t[2].failedCalls == 5)
        #expect(!b.record(endMicros: 230 * s, durationMicros: 1000, failed: false, transitions: &t))
        #expect(b.record(endMicros: 230 * s + 1, durationMicros: 1000, failed: false, transitions: &t))
        #expect(t.last?.to == .halfOpen && t.last?.atMicros == 230 * s + 1)
        #expect(b.wouldReject == 1)
    }

    /// slow = duration strictly above the threshold; 3 s calls against a 2 s threshold, 60 % ≥ 50 % → OPEN.
    @Test func slowCallRateOpens() {
        let c = BreakerConfig(
            slowCallRateThreshold: 50, slowCallDurationMicros: 2 * s, minimumNumberOfCalls: 10, slidingWindowSize: 10)
        var b = CircuitBreaker(caller: "a", callee: "b", config: c)
        var t: [BreakerTransition] = []
        for i in 1...4 { b.record(endMicros: Int64(i) * s, durationMicros: 2 * s, failed: false, transitions: &t) }
        for i in 5...9 { b.record(endMicros: Int64(i) * s, durationMicros: 3 * s, failed: false, transitions: &t) }
        #expect(t.isEmpty)  // 9 calls < minimum 10: rates undefined
        b.record(endMicros: 10 * s, durationMicros: 3 * s, failed: false, transitions: &t)
        #expect(t.count == 1)
        #expect(t[0].to == .open && t[0].slowCallRate == 60 && t[0].failureRate == 0 && t[0].slowCalls == 6)
    }

    /// The count window slides: old failures leave it.
    @Test func countWindowSlides() {
        let c = BreakerConfig(minimumNumberOfCalls: 4, slidingWindowSize: 4)
        var b = CircuitBreaker(caller: "a", callee: "b", config: c)
        var t: [BreakerTransition] = []
        let outcomes = [true, false, false, false, false, true, false, true]
        for (i, f) in outcomes.enumerated() {
            b.record(endMicros: Int64(i + 1) * s, durationMicros: 1, failed: f, transitions: &t)
        }
        // Windows after calls 4…8: [T F F F]=25 %, [F F F F]=0, [F F F T]=25, [F F T F]=25, [F T F T]=50 → OPEN.
        #expect(t.count == 1 && t[0].atMicros == 8 * s && t[0].failureRate == 50)
    }

    /// Sentinel trips only strictly above the ratio; Hystrix at ≥ 20 calls in 10 s.
    @Test func presets() {
        var t: [BreakerTransition] = []
        var sentinel = CircuitBreaker(caller: "a", callee: "b", config: .sentinel)
        for i in 0..<6 {
            sentinel.record(endMicros: 5 * s + Int64(i), durationMicros: 1, failed: i % 2 == 1, transitions: &t)
        }
        #expect(t.isEmpty)  // 2/5 = 40 %, then 3/6 = 50 %, not > 50 %
        var hystrix = CircuitBreaker(caller: "a", callee: "b", config: .hystrix)
        for i in 0..<19 {
            hystrix.record(endMicros: Int64(i) * s / 2, durationMicros: 1, failed: true, transitions: &t)
        }
        #expect(t.isEmpty)
        hystrix.record(endMicros: 9 * s + 600_000, durationMicros: 1, failed: true, transitions: &t)
        #expect(t.count == 1 && t[0].calls == 20)
        #expect(BreakerConfig.preset(named: "HYSTRIX") == .hystrix)
        #expect(BreakerConfig.preset(named: "nope") == nil)
    }
}
