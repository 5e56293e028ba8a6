import MeshtopGovernance
import MeshtopModel
import MeshtopQuery
import MeshtopStore
import Testing

/// Property: for random (seeded) call streams, `meshtop replay` with the collector's own rules reproduces the
/// breaker and alert transitions and flow rule counts the live collector recorded for the same data.
///
/// The "collector" here is the engine driven as `IngestWriter` drives it: spans arrive when they end (in end
/// order, as SDKs export them), a live tick every 5 s of wall clock (wall = event time), each tick's output
/// written to the store. Replay then reads the stored spans back in pages and re-runs governance in memory.
@Suite struct ReplayPropertyTests {
    static let t0: Int64 = RFC3339.parse("2026-11-26T10:00:00Z")!
    static let window = TimeWindow(sinceMicros: t0, untilMicros: t0 + 4 * 60_000_000)

    static let rules = """
        breakers:
          - caller: web
            callee: db
            preset: hystrix
          - caller: "*"
            callee: cache
            preset: sentinel
        limits:
          - name: web-db-5qps
            caller: web
            callee: db
            qps: 5
          - name: db-throttle
            match: db
            qps: 8
            behavior: throttle
            max_queueing_time: 300ms
          - name: cache-warm
            match: cache
            qps: 6
            behavior: warm_up
            warm_up_period: 5s
        rules:
          - name: EdgeErrors
            signal: error_rate
            scope: {caller: "*", callee: "*"}
            op: ">"
            threshold: 40
            for: 10s
            window: 30s
          - name: BreakerOpen
            signal: breaker_open
            scope: {callee: "*"}
            op: "=="
            threshold: 1
        """

    /// Client spans naming their peer (each is one call) over ~2.5 minutes: unique end times, bursts of failures.
    static func stream(seed: UInt64) -> [Span] {
        var rng = SeededRandom(seed: seed)
        let edges = [("web", "db"), ("web", "cache"), ("api", "db"), ("api", "cache")]
        var spans: [Span] = []
        var t = t0 + 1_000_000
        var usedEnds = Set<Int64>()
        var n: UInt64 = 0
        while t < t0 + 150_000_000 {
            t += Int64(rng.next() % 120_000) + 1
            let phase = (t - t0) / 20_000_000  // failure rate changes every 20 s
            let failRate = phase % 3 == 1 ? 0.8 : 0.05
            let (caller, callee) = edges[Int(rng.next() % UInt64(edges.count))]
            var duration = Int64(rng.next() % 300_000) + 1_000
            while usedEnds.contains(t + duration) { duration += 1 }
            usedEnds.insert(t + duration)
            n += 1
            spans.append(
                Span(
                    traceID: TraceID(high: seed, low: n), spanID: SpanID(n), parentID: nil, service: caller,
                    name: "call", kind: .client, startMicros: t, durationMicros: duration,
                    isError: rng.chance(failRate), peerService: callee))
        }
        return spans
    }

    /// The live collector: spans by end time, a live tick every 5 s, outputs written as `IngestWriter` does.
    static func record(_ spans: [Span], rules: RuleSet, into store: MeshtopStore) throws {
        let engine = GovernanceEngine(rules: rules)
        let byEnd = spans.sorted { $0.endMicros < $1.endMicros }
        var i = 0
        var now = t0 + 5_000_000
        while now <= window.untilMicros {
            while i < byEnd.count, byEnd[i].endMicros <= now {
                engine.ingest(span: byEnd[i])
                i += 1
            }
            let out = engine.tick(nowMicros: now, live: true)
            var batch = WriteBatch(breakerTransitions: out.breakerTransitions, alertTransitions: out.alertTransitions)
            batch.governanceExtras.limitStats = out.limitStats
            try store.write(batch)
            now += 5_000_000
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func replayReproducesRecordedBreakersAlertsAndLimits(seed: UInt64) throws {
        let rules = try RuleSet.parse(yaml: Self.rules)
        let spans = Self.stream(seed: seed)
        let store = try MeshtopStore.inMemory()
        try store.write(WriteBatch(spans: spans))
        try Self.record(spans, rules: rules, into: store)

        let result = try ReplayRun(reader: store, rules: rules, pageSize: 97).run(window: Self.window)
        #expect(result.spans == Int64(spans.count))
        func breakers(_ origin: ReplayTransition.Origin) -> [String] {
            result.transitions.filter { $0.kind == .breaker && $0.origin == origin }.map {
                "\($0.atMicros) \($0.caller ?? "") \($0.callee ?? "") \($0.from)→\($0.to)"
            }
        }
        let replayed = breakers(.replayed)
        #expect(replayed == breakers(.recorded))
        func alerts(_ origin: ReplayTransition.Origin) -> [String] {
            result.transitions.filter { $0.kind == .alert && $0.origin == origin }.map {
                "\($0.atMicros) \($0.rule ?? "") \($0.caller ?? "") \($0.callee ?? "") \($0.from)→\($0.to)"
            }
        }
        let replayedAlerts = alerts(.replayed)
        #expect(replayedAlerts == alerts(.recorded))
        // Both rules fire: the error bursts (EdgeErrors) and the breakers they open (BreakerOpen).
        #expect(
            Set(result.transitions.filter { $0.kind == .alert }.compactMap(\.rule)) == ["EdgeErrors", "BreakerOpen"])
        // Not vacuous: the failure bursts trip breakers and the limits block calls.
        #expect(replayed.count >= 2)
        #expect(result.limits.count == 3)  // web→db, and db and cache under their service rules
        for l in result.limits {
            #expect(l.replayed == l.recorded, "\(l.rule) \(l.service)\(l.caller)→\(l.callee)")
        }
        #expect(result.limits.contains { $0.recorded.blocked > 0 })
        #expect(result.limits.contains { $0.recorded.queued > 0 })
    }
}
