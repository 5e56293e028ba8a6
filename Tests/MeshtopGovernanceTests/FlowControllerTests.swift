import MeshtopModel
import Testing

@testable import MeshtopGovernance

/// Sentinel's controllers worked by hand from their sources (DefaultController, RateLimiterController,
/// WarmUpController; LeapArray of 2 × 500 ms for QPS). Times are milliseconds on a whole second.
@Suite struct FlowControllerTests {
    let t0: Int64 = 1_800_000_000_000

    func count(_ ds: [FlowController.Decision]) -> (passed: Int, queued: Int, blocked: Int) {
        var q = 0
        var b = 0
        for d in ds {
            if case .queued = d { q += 1 }
            if d == .blocked { b += 1 }
        }
        return (ds.count - b, q, b)
    }

    /// qps 5, one call every 100 ms: the first half-second passes 5; the second half-second still sees them in
    /// the previous bucket and blocks 5; the next second starts afresh. 50 passed and 50 blocked in 10 s.
    @Test func rejectCountsTheCurrentAndPreviousHalfSecond() {
        var c = FlowController(FlowRule(name: "r", service: "db", threshold: 5))
        var ds: [FlowController.Decision] = []
        for i in 0..<100 { ds.append(c.decide(endMs: t0 + Int64(i) * 100, durationMs: 1)) }
        #expect(
            ds.prefix(10).map { $0 == .passed } == [true, true, true, true, true, false, false, false, false, false])
        #expect(count(ds) == (50, 0, 50))
    }

    /// qps 10 (1 call per 100 ms), max_queueing_time 500 ms; 10 calls at the same instant: the first passes, the
    /// next five wait 100…500 ms, the last four would wait longer and are blocked.
    @Test func throttleQueuesUpToTheMaxQueueingTime() {
        var c = FlowController(FlowRule(name: "t", service: "db", threshold: 10, behavior: .throttle))
        let ds = (0..<10).map { _ in c.decide(endMs: t0, durationMs: 1) }
        #expect(ds[0] == .passed)
        #expect(ds[1...5].map { $0 } == [100, 200, 300, 400, 500].map { FlowController.Decision.queued(waitMs: $0) })
        #expect(ds[6...].allSatisfy { $0 == .blocked })
        // 600 ms later the queue has drained: the next call passes at once.
        #expect(c.decide(endMs: t0 + 1_100, durationMs: 1) == .passed)
    }

    /// qps 10, warm_up_period 10 s, cold_factor 3: warningToken = 100 / 2 = 50, maxToken = 50 + 200 / 4 = 100,
    /// slope = 2 / 10 / 50. A cold bucket (100 tokens) lets 1 / (50 × slope + 0.1) = 3.33 QPS through; each
    /// second's passes are taken out of the bucket, so the rate ramps 3,3,3,3,3,4,4,4,5,5,6,7 and reaches 10 once
    /// the bucket is down to the warning line (second 12). Offered: 20 QPS.
    @Test func warmUpRampsFromAThirdToTheThreshold() {
        var c = FlowController(FlowRule(name: "w", service: "db", threshold: 10, behavior: .warmUp))
        var perSecond: [Int] = []
        for s in 0..<15 {
            var passed = 0
            for i in 0..<20 where c.decide(endMs: t0 + Int64(s) * 1000 + Int64(i) * 50, durationMs: 1) != .blocked {
                passed += 1
            }
            perSecond.append(passed)
        }
        #expect(perSecond == [3, 3, 3, 3, 3, 4, 4, 4, 5, 5, 6, 7, 10, 10, 10])
    }

    /// concurrency 2: a call is blocked when two passed calls are in flight at its start.
    @Test func concurrencyCountsPassedCallsInFlightAtTheStart() {
        var c = FlowController(FlowRule(name: "c", service: "db", grade: .concurrency, threshold: 2))
        // Ends in order: [0, 1000), [100, 1100) pass; [200, 1200) starts with both in flight: blocked;
        // [1150, 1300) starts after the first ended and the blocked one never ran: passes.
        #expect(c.decide(endMs: t0 + 1000, durationMs: 1000) == .passed)
        #expect(c.decide(endMs: t0 + 1100, durationMs: 1000) == .passed)
        #expect(c.decide(endMs: t0 + 1200, durationMs: 1000) == .blocked)
        #expect(c.decide(endMs: t0 + 1300, durationMs: 150) == .passed)
    }

    /// The due calls' bucketed sort gives the order of a plain sort by (end, edge position, duration), for calls
    /// a tick apart, with ties, crowded milliseconds, few calls and a range too wide to bucket.
    @Test func dueCallsSortLikeAComparisonSort() {
        var r: UInt64 = 3
        func next(_ n: UInt64) -> Int64 {
            r = r &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int64((r >> 33) % n)
        }
        let base: Int64 = 1_800_000_000_000_000
        let shapes: [(count: Int, spreadMicros: UInt64, edges: UInt64)] = [
            (5_000, 10_000_000, 300), (2_000, 3_000, 40), (3_000, 200, 5), (50, 10_000_000, 7),
            (1_000, 4_000_000_000_000, 30), (500, 1, 2),
        ]
        for shape in shapes {
            var calls = (0..<shape.count).map { _ in
                LimitBook.Call(
                    end: base + next(shape.spreadMicros), order: Int32(next(shape.edges)), list: 0,
                    duration: next(3))
            }
            calls = calls.map { LimitBook.Call(end: $0.end, order: $0.order, list: $0.order, duration: $0.duration) }
            let expected = calls.sorted { ($0.end, $0.order, $0.duration) < ($1.end, $1.order, $1.duration) }
            LimitBook.sortDue(&calls)
            #expect(calls.map(\.end) == expected.map(\.end))
            #expect(calls.map(\.order) == expected.map(\.order) && calls.map(\.list) == expected.map(\.list))
            #expect(calls.map(\.duration) == expected.map(\.duration))
        }
    }
}

/// Flow rules through the engine: parsed from YAML, fed with the breakers' calls, counted per minute, and a
/// `blocked_rate` alert.
@Suite struct EngineLimitsTests {
    @Test func limitsCountPerMinuteAndFireBlockedRate() throws {
        let rules = try RuleSet.parse(
            yaml: """
                limits:
                  - name: db-5qps
                    caller: web
                    callee: db
                    qps: 5
                  - match: "d*"
                    qps: 100
                    behavior: throttle
                    max_queueing_time: 0s
                rules:
                  - name: throttled
                    signal: blocked_rate
                    op: ">"
                    threshold: 40
                    for: 0s
                """)
        #expect(rules.limits.map(\.name) == ["db-5qps", "limit-2 d*"])
        let e = GovernanceEngine(rules: rules)
        let base: Int64 = 1_800_000_000_000_000  // a whole minute
        // 10 calls per second for 10 s, evenly spaced: db-5qps passes 5 and blocks 5 each second; the throttle
        // rule (one per 10 ms, no queue) passes all.
        var n: UInt64 = 0
        for i in 0..<100 {
            n += 1
            for x in callSpans(n, caller: "web", callee: "db", end: base + Int64(i) * 100_000, failed: false) {
                e.ingest(span: x)
            }
        }
        // Two ticks in the same minute: the second reports the minute's cumulative counts (an upsert).
        let early = e.tick(nowMicros: base + 5_000_000, live: true)
        // Due so far: calls ending by the watermark (9.9 s) − 2 s, i.e. the first 80.
        #expect(early.limitStats.first { $0.rule == "db-5qps" }.map { $0.passed + $0.blocked } == 80)
        var out = e.tick(nowMicros: base + 20_000_000, live: true)
        out.alertTransitions = early.alertTransitions + out.alertTransitions
        #expect(
            out.limitStats == [
                LimitStat(
                    minuteMicros: base, rule: "db-5qps", service: "", caller: "web", callee: "db", passed: 50,
                    blocked: 50, queued: 0),
                LimitStat(
                    minuteMicros: base, rule: "limit-2 d*", service: "db", caller: "", callee: "", passed: 100,
                    blocked: 0, queued: 0),
            ])
        let firing = out.alertTransitions.filter { $0.to == .firing }
        #expect(firing.count == 1)
        #expect(firing.first?.value == 50)
        #expect(firing.first?.labels.contains(Attribute("limit", .string("db-5qps"))) == true)
    }

    @Test func limitEntriesAreChecked() {
        func error(_ yaml: String) -> String? {
            do {
                _ = try RuleSet.parse(yaml: yaml)
                return nil
            } catch { return error.description }
        }
        #expect(error("limits:\n  - match: db\n")?.contains("qps") == true)
        #expect(error("limits:\n  - match: db\n    qps: 5\n    behavior: fast\n")?.contains("warm_up") == true)
        #expect(error("limits:\n  - match: db\n    caller: web\n    qps: 5\n")?.contains("line 2") == true)
        #expect(error("limits:\n  - qps: 5\n")?.contains("match") == true)
        #expect(error("limits:\n  - match: db\n    concurrency: 5\n    behavior: throttle\n") != nil)
    }
}
