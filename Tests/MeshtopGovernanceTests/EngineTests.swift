import MeshtopModel
import Testing

@testable import MeshtopGovernance

/// A client → server call pair from `caller` to `callee` ending at `end`.
func callSpans(_ n: UInt64, caller: String, callee: String, end: Int64, duration: Int64 = 1000, failed: Bool) -> [Span]
{
    let t = TraceID(high: 7, low: n)
    return [
        Span(
            traceID: t, spanID: SpanID(2), parentID: SpanID(1), service: callee, name: "serve", kind: .server,
            startMicros: end - duration + 10, durationMicros: duration - 20, isError: failed),
        Span(
            traceID: t, spanID: SpanID(1), parentID: nil, service: caller, name: "call", kind: .client,
            startMicros: end - duration, durationMicros: duration, isError: failed, peerService: callee),
    ]
}

@Suite struct EngineTests {
    let s: Int64 = 1_000_000
    let base: Int64 = 1_800_000_000_000_000

    /// The breaker scenario through the engine: calls reach the breaker in end order once 2 s behind the watermark,
    /// even when they arrive shuffled.
    @Test func breakerThroughEngine() {
        let e = GovernanceEngine()
        var spans: [Span] = []
        for i in 1...100 {
            spans += callSpans(UInt64(i), caller: "a", callee: "b", end: base + Int64(i) * s, failed: i > 50)
        }
        // Arrival order reversed within blocks of 4 calls: the tick sorts what it feeds.
        var shuffled: [Span] = []
        for block in stride(from: 0, to: spans.count, by: 4) {
            shuffled += spans[block..<min(block + 4, spans.count)].reversed()
        }
        for x in shuffled { e.ingest(span: x) }
        var out = e.tick(nowMicros: base + 101 * s)
        #expect(out.breakerTransitions.isEmpty)  // call 100 ends at 100 s; watermark 100 s − 2 s hides 99 and 100
        #expect(out.breakers.first?.callsInWindow == 98)
        for x in callSpans(101, caller: "a", callee: "b", end: base + 103 * s, failed: false) { e.ingest(span: x) }
        for x in callSpans(102, caller: "a", callee: "b", end: base + 106 * s, failed: false) { e.ingest(span: x) }
        out = e.tick(nowMicros: base + 107 * s)
        #expect(out.breakerTransitions.count == 1)
        let t = out.breakerTransitions[0]
        #expect(t.caller == "a" && t.callee == "b" && t.to == .open && t.atMicros == base + 100 * s)
        #expect(t.failureRate == 50 && t.calls == 100 && t.failedCalls == 50)
        #expect(out.breakers.first?.state == .open)
        #expect(out.breakers.first?.wouldReject == 1)  // the call at 103 s; the one at 106 s still waits
        #expect(e.stats.pendingCalls == 1)
    }

    /// `error_rate > 20` for 10 s on orders: pending at the first evaluation with errors, firing 10 s later,
    /// resolved when the errors leave the window; transitions carry the rendered summary.
    @Test func alertLifecycleThroughEngine() throws {
        let rules = try RuleSet.parse(
            yaml: """
                rules:
                  - name: OrdersErrors
                    signal: error_rate
                    scope: {service: orders}
                    op: ">"
                    threshold: 20
                    for: 10s
                    window: 1m
                    summary: "{{service}} {{value}}%"
                """)
        let e = GovernanceEngine(rules: rules)
        let m0 = base  // a minute boundary (1.8e15 µs is a multiple of 60 s)
        var transitions: [AlertTransition] = []
        var n: UInt64 = 0
        // One request per second for 4 minutes: failing during the first 30 s of the second minute.
        for sec in 0..<240 {
            n += 1
            let t = m0 + Int64(sec) * s
            let failed = sec >= 60 && sec < 90
            for x in callSpans(n, caller: "gw", callee: "orders", end: t, failed: failed) { e.ingest(span: x) }
            transitions += e.tick(nowMicros: t).alertTransitions
        }
        #expect(transitions.map(\.to) == [.pending, .firing, .resolved])
        // Server spans end 10 µs before each whole second, so second 0's request belongs to the previous minute.
        // At 70 s the window is minutes 0 and 1: 70 requests, 11 errors = 15.7 %; at 75 s 16/75 = 21.3 % > 20.
        #expect(transitions[0].atMicros == m0 + 75 * s)
        #expect(transitions[1].atMicros == m0 + 85 * s)
        #expect(transitions[0].summary == "orders 21.333%")
        // Resolves once the window (minute(t − 1m) … minute(t)) no longer holds minute 1's errors: at 180 s.
        #expect(transitions[2].atMicros == m0 + 180 * s)
    }

    /// Reported breakers from a log and from the Resilience4j gauge.
    @Test func reportedBreakers() {
        let e = GovernanceEngine()
        e.ingest(
            log: LogRecord(timeMicros: base, service: "orders", message: "cb change breaker=payments state=CLOSED"))
        e.ingest(
            log: LogRecord(
                timeMicros: base + s, service: "orders", message: "state changed",
                attributes: [Attribute("breaker", .string("payments")), Attribute("state", .string("OPEN"))]))
        e.ingest(
            metric: MetricSample(
                name: "resilience4j.circuitbreaker.state", type: .gauge, value: 1,
                tags: ["name:inventory", "service:cart", "state:half_open"]), receivedAtMicros: base + 2 * s)
        e.ingest(
            metric: MetricSample(
                name: "resilience4j.circuitbreaker.state", type: .gauge, value: 0,
                tags: ["name:inventory", "service:cart", "state:closed"]), receivedAtMicros: base + 2 * s)
        let out = e.tick(nowMicros: base + 3 * s)
        #expect(out.breakerTransitions.count == 1)
        let t = out.breakerTransitions[0]
        #expect(t.source == .reported && t.caller == "orders" && t.callee == "payments")
        #expect(t.from == .closed && t.to == .open && t.atMicros == base + s)
        #expect(
            out.breakers.map { "\($0.caller)/\($0.callee)/\($0.state.rawValue)" }
                == ["cart/inventory/half_open", "orders/payments/open"])
    }

    /// The same spans fed to two fresh engines with the same ticks give identical outputs.
    @Test func replayIsDeterministic() throws {
        let rules = try RuleSet.parse(
            yaml: """
                rules:
                  - {name: Err, signal: error_rate, op: ">", threshold: 30, for: 5s}
                  - {name: Slow, signal: p99_ms, scope: {caller: "*"}, op: ">", threshold: 50}
                  - {name: Open, signal: breaker_open, op: "==", threshold: 1}
                breakers:
                  - {minimum_number_of_calls: 10, sliding_window_size: 10, wait_duration_in_open_state: 5s}
                """)
        var spans: [Span] = []
        var rng: UInt64 = 42
        func next() -> UInt64 {
            rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return rng >> 33
        }
        let services = ["a", "b", "c", "d"]
        for i in 0..<3000 {
            let caller = services[Int(next() % 4)]
            let callee = services[Int(next() % 4)]
            guard caller != callee else { continue }
            let end = base + Int64(i) * 50_000 + Int64(next() % 500_000)
            spans += callSpans(
                UInt64(i), caller: caller, callee: callee, end: end, duration: Int64(next() % 100_000) + 100,
                failed: next() % 3 == 0)
        }
        // Arrival order scrambled locally.
        for i in stride(from: 0, to: spans.count - 7, by: 7) { spans.swapAt(i, i + 6) }
        func replay() -> [GovernanceOutput] {
            let e = GovernanceEngine(rules: rules)
            var outs: [GovernanceOutput] = []
            for (i, x) in spans.enumerated() {
                e.ingest(span: x)
                if i % 97 == 0 { outs.append(e.tick(nowMicros: x.endMicros + 1)) }
            }
            outs.append(e.tick(nowMicros: base + 3600 * s))
            return outs
        }
        let a = replay()
        let b = replay()
        let same = a == b  // (not inside #expect: a failure would print both outputs)
        #expect(same)
        #expect(a.contains { !$0.breakerTransitions.isEmpty })
        #expect(a.contains { !$0.alertTransitions.isEmpty })
        #expect(a.reduce(0) { $0 + $1.edgeRollups.count } > 0)
    }
}

@Suite struct EngineClockTests {
    /// Ticks before any data run on the wall clock; a replay of day-old spans then still evaluates alerts on
    /// its own event time.
    @Test func replayAfterWallClockTicks() throws {
        let rules = try RuleSet.parse(yaml: "rules:\n  - {name: Any, signal: rps, op: '>', threshold: 0}\n")
        let e = GovernanceEngine(rules: rules)
        let wall: Int64 = 1_800_000_000_000_000
        _ = e.tick(nowMicros: wall)
        let old = wall - 86_400_000_000
        var transitions: [AlertTransition] = []
        for i in 0..<20 {
            let t = old + Int64(i) * 1_000_000
            for x in callSpans(UInt64(i), caller: "a", callee: "b", end: t, failed: false) { e.ingest(span: x) }
            transitions += e.tick(nowMicros: wall + Int64(i) * 1_000).alertTransitions
        }
        #expect(transitions.map(\.to) == [.pending, .firing])
        #expect(transitions.first?.atMicros == old)
    }
}

@Suite struct BreakerMentionTests {
    @Test func findsTheKeyAnywhereAndOnlyWhole() {
        #expect(ReportedBreakers.mentionsBreaker("breaker=payments state=OPEN"))
        #expect(ReportedBreakers.mentionsBreaker("cb change state=OPEN breaker=x"))
        #expect(ReportedBreakers.mentionsBreaker("naïve ✓ breaker="))
        #expect(!ReportedBreakers.mentionsBreaker("breaker payments"))
        #expect(!ReportedBreakers.mentionsBreaker("breaker"))
        #expect(!ReportedBreakers.mentionsBreaker(""))
        #expect(!ReportedBreakers.mentionsBreaker("breakers=2"))
        #expect(!ReportedBreakers.mentionsBreaker("bbbbbbbreaker"))
        #expect(ReportedBreakers.mentionsBreaker("bbbbbbbreaker="))
        #expect(!ReportedBreakers.mentionsBreaker("xbreaker"))
    }
}
