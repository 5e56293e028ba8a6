import MeshtopModel
import Testing

@testable import MeshtopGovernance

/// A new governance leader seeds its engine from the breakers and alerts the old leader stored
/// (`GovernanceEngine.seed`, docs/scaling.md): open breakers and alert timers go on from the old leader's times.
@Suite struct TakeoverSeedTests {
    let s: Int64 = 1_000_000
    let base: Int64 = 1_800_000_000_000_000  // a minute boundary

    func status(_ state: BreakerState, since: Int64, lastCall: Int64, transitions: Int = 1) -> BreakerStatus {
        BreakerStatus(
            caller: "api", callee: "db", source: .simulated, state: state, failureRate: nil, slowCallRate: nil,
            callsInWindow: 0, wouldReject: 3, sinceMicros: since, lastCallMicros: lastCall, transitions: transitions)
    }

    func alert(_ state: AlertState, since: Int64, fired: Int64? = nil, rule: String = "R") -> AlertStatus {
        AlertStatus(
            rule: rule, severity: "critical", labels: [Attribute("service", .string("db"))], state: state, value: 50,
            sinceMicros: since, firedAtMicros: fired, summary: "db failing")
    }

    // MARK: the breaker

    /// Seeded OPEN since T (wait 60 s): a call at T + 60 s is still rejected, the one after it is the half-open
    /// probe — the old leader's timing, not the takeover's. The counts go on from the stored ones.
    @Test func anOpenBreakerKeepsItsOpenSinceTime() {
        let t0 = base
        var b = CircuitBreaker(caller: "api", callee: "db", startMicros: t0 + 50 * s)
        var out: [BreakerTransition] = []
        b.seed(status(.open, since: t0, lastCall: t0 + 40 * s, transitions: 5))
        #expect(out.isEmpty && b.currentState == .open)
        #expect(b.status.sinceMicros == t0 && b.status.wouldReject == 3 && b.status.transitions == 5)
        #expect(!b.record(endMicros: t0 + 60 * s, durationMicros: 1000, failed: false, transitions: &out))
        #expect(out.isEmpty && b.wouldReject == 4)
        b.record(endMicros: t0 + 60 * s + 1, durationMicros: 1000, failed: false, transitions: &out)
        #expect(out.map(\.to) == [.halfOpen] && out.map(\.from) == [.open] && out[0].atMicros == t0 + 60 * s + 1)
        #expect(b.status.transitions == 6)
    }

    /// Seeded HALF_OPEN: a fresh probe window; CLOSED over a locally open breaker: closed with an empty window;
    /// CLOSED over a closed one: its own window stays.
    @Test func halfOpenAndClosedSeeds() {
        let c = BreakerConfig(permittedCallsInHalfOpenState: 2, minimumNumberOfCalls: 4, slidingWindowSize: 4)
        var out: [BreakerTransition] = []
        var b = CircuitBreaker(caller: "api", callee: "db", config: c)
        b.seed(status(.halfOpen, since: 10 * s, lastCall: 10 * s))
        b.record(endMicros: 11 * s, durationMicros: 1, failed: false, transitions: &out)
        b.record(endMicros: 12 * s, durationMicros: 1, failed: false, transitions: &out)
        #expect(out.map(\.to) == [.closed] && out[0].from == .halfOpen && out[0].atMicros == 12 * s)

        var open = CircuitBreaker(caller: "api", callee: "db", config: c)
        for i in 1...4 { open.record(endMicros: Int64(i) * s, durationMicros: 1, failed: true, transitions: &out) }
        #expect(open.currentState == .open)
        open.seed(status(.closed, since: 2 * s, lastCall: 4 * s))
        #expect(open.currentState == .closed && open.status.callsInWindow == 0 && open.status.sinceMicros == 2 * s)

        var closed = CircuitBreaker(caller: "api", callee: "db", config: c)
        for i in 1...3 { closed.record(endMicros: Int64(i) * s, durationMicros: 1, failed: true, transitions: &out) }
        closed.seed(status(.closed, since: 1 * s, lastCall: 3 * s))
        #expect(closed.status.callsInWindow == 3)
    }

    // MARK: alerts

    /// Seeded pending since S with `for: 60s`: fires at the first evaluation at or after S + 60 s. Seeded firing:
    /// no new transition while the condition holds, resolved (from its stored firedAt) when it stops.
    @Test func alertsKeepTheirTimers() {
        let rule = AlertRule(name: "R", signal: .errorRate, op: .gt, threshold: 5, forMicros: 60 * s)
        let holding = [AlertTracker.Sample(labels: [Attribute("service", .string("db"))], value: 50, summary: "x")]
        var tracker = AlertTracker()
        var out: [AlertTransition] = []
        tracker.seed([alert(.pending, since: 100 * s)], rules: ["R"])
        for t in stride(from: Int64(130), through: 165, by: 5) {
            tracker.apply(rule: rule, active: holding, at: t * s, transitions: &out)
        }
        #expect(out.map(\.to) == [.firing] && out[0].from == .pending && out[0].atMicros == 160 * s)
        #expect(tracker.statuses[0].sinceMicros == 100 * s)

        out = []
        tracker.seed([alert(.firing, since: 100 * s, fired: 160 * s)], rules: ["R"])
        tracker.apply(rule: rule, active: holding, at: 200 * s, transitions: &out)
        #expect(out.isEmpty && tracker.statuses[0].state == .firing)
        tracker.apply(rule: rule, active: [], at: 205 * s, transitions: &out)
        #expect(out.map(\.to) == [.resolved] && out[0].from == .firing)
        #expect(tracker.statuses[0].firedAtMicros == 160 * s && tracker.statuses[0].resolvedAtMicros == 205 * s)
    }

    /// The stored view replaces the tracker's own instances: one it lacks is inactive (dropped), and instances
    /// of rules that no longer exist are not taken.
    @Test func theStoredViewReplacesTheEnginesOwn() {
        let rule = AlertRule(name: "R", signal: .errorRate, op: .gt, threshold: 5, forMicros: 60 * s)
        var tracker = AlertTracker()
        var out: [AlertTransition] = []
        tracker.apply(
            rule: rule, active: [AlertTracker.Sample(labels: [], value: 9, summary: "own")], at: 0, transitions: &out)
        #expect(tracker.instances.count == 1)
        tracker.seed([alert(.firing, since: 0, fired: 60 * s, rule: "gone")], rules: ["R"])
        #expect(tracker.instances.isEmpty)
    }

    // MARK: through the engine

    static let rules = """
        defaults:
          breaker: {minimum_number_of_calls: 10, sliding_window_size: 10, wait_duration_in_open_state: 60s,
                    permitted_calls_in_half_open_state: 2}
        rules:
          - name: DbErrors
            signal: error_rate
            scope: {service: db}
            op: ">"
            threshold: 20
            for: 2m
            window: 1m
        """

    /// What the old leader's store holds: each edge's last breaker status and the last alert view.
    struct Stored {
        var breakers: [String: BreakerStatus] = [:]
        var alerts: [AlertStatus] = []

        mutating func take(_ out: GovernanceOutput) {
            for b in out.breakers { breakers[b.caller + ">" + b.callee] = b }
            if let view = out.alerts { alerts = view }
        }
    }

    /// One failing api → db call per second; the engine ticks after each.
    func feed(
        _ engines: [GovernanceEngine], seconds: ClosedRange<Int64>, failing: (Int64) -> Bool = { _ in true },
        _ onTick: (Int, GovernanceOutput) -> Void
    ) {
        for sec in seconds {
            let t = base + sec * s
            for x in callSpans(UInt64(sec), caller: "api", callee: "db", end: t, failed: failing(sec)) {
                for e in engines { e.ingest(span: x) }
            }
            for (i, e) in engines.enumerated() { onTick(i, e.tick(nowMicros: t)) }
        }
    }

    /// The old leader sees every call from 0 s: its breaker opens at 9 s (10 failures) and the alert is pending
    /// from 0 s. A follower that received calls from 30 s only takes over at 40 s. Seeded, it half-opens at 70 s
    /// and re-opens at 71 s (the old leader's 9 s + 60 s wait, not its own 39 s + 60 s) and fires at 120 s
    /// (0 s + 2 m, not 30 s + 2 m), exactly as the old leader does; the seed itself reports no transition. A
    /// second takeover at 130 s by a third engine keeps the alert firing (no new firing) until both resolve
    /// alike (a fresh engine of its own would pass through pending again and fire a second time).
    @Test func aNewLeaderGoesOnFromTheOldLeadersTimes() throws {
        let rules = try RuleSet.parse(yaml: Self.rules)
        let old = GovernanceEngine(rules: rules)
        let new = GovernanceEngine(rules: rules)
        let unseeded = GovernanceEngine(rules: rules)
        var stored = Stored()
        feed([old], seconds: 0...29) { _, out in stored.take(out) }
        feed([old, new, unseeded], seconds: 30...39) { i, out in if i == 0 { stored.take(out) } }
        #expect(stored.breakers["api>db"]?.state == .open && stored.breakers["api>db"]?.sinceMicros == base + 9 * s)
        #expect(stored.alerts.map(\.state) == [.pending] && stored.alerts.first?.sinceMicros == base)
        // Its own breaker has been fed 8 of its 10 calls (2 s behind the watermark): still closed.
        #expect(new.edges[EdgeKey(caller: "api", callee: "db")]?.breaker.status.callsInWindow == 8)

        new.seed(breakers: Array(stored.breakers.values), alerts: stored.alerts, nowMicros: base + 40 * s)
        var breakers: [[BreakerTransition]] = [[], [], []]
        var alerts: [[AlertTransition]] = [[], [], []]
        feed([old, new, unseeded], seconds: 40...129) { i, out in
            if i == 0 { stored.take(out) }
            breakers[i] += out.breakerTransitions
            alerts[i] += out.alertTransitions
        }
        #expect(breakers[0].map(\.atMicros) == [base + 70 * s, base + 71 * s])
        #expect(breakers[1] == breakers[0])
        // Unseeded: opened at its own 39 s, half-open 60 s later.
        #expect(breakers[2].first { $0.to == .halfOpen }?.atMicros == base + 100 * s)
        #expect(alerts[0].map(\.to) == [.firing] && alerts[0].first?.atMicros == base + 120 * s)
        #expect(alerts[1] == alerts[0])
        #expect(alerts[2].isEmpty)  // unseeded: it would fire at 150 s

        // Second takeover while the alert fires, by an engine that received calls from 120 s (so its minute of
        // 120 s holds what the old leader's does: the alert windows' counts are not taken over); errors stop at
        // 140 s, and the window's error rate drops to the threshold at 215 s on both.
        let third = GovernanceEngine(rules: rules)
        feed([third], seconds: 120...129) { _, _ in }
        third.seed(breakers: Array(stored.breakers.values), alerts: stored.alerts, nowMicros: base + 130 * s)
        alerts = [[], []]
        feed([old, third], seconds: 130...250, failing: { $0 < 140 }) { i, out in alerts[i] += out.alertTransitions }
        #expect(alerts[0].map(\.to) == [.resolved] && alerts[0].first?.atMicros == base + 215 * s)
        #expect(alerts[1] == alerts[0])
    }

    /// A stored breaker idle for longer than `breakerIdleMicros` is one the old engine had forgotten: not taken.
    /// An edge the store does not hold is closed, whatever this engine's own traffic made of it.
    @Test func staleRowsAreNotTakenAndUnstoredEdgesClose() throws {
        let e = GovernanceEngine(rules: try RuleSet.parse(yaml: Self.rules))
        feed([e], seconds: 0...20) { _, _ in }
        let key = EdgeKey(caller: "api", callee: "db")
        #expect(e.edges[key]?.breaker.currentState == .open)
        e.seed(breakers: [], alerts: [], nowMicros: base + 21 * s)
        #expect(e.edges[key]?.breaker.currentState == .closed)
        let idle = e.config.breakerIdleMicros
        var stale = status(.open, since: base - idle - 10 * s, lastCall: base - idle - 5 * s)
        stale.callee = "cache"
        e.seed(breakers: [stale], alerts: [], nowMicros: base + 21 * s)
        #expect(e.edges[EdgeKey(caller: "api", callee: "cache")] == nil)
        let out = e.tick(nowMicros: base + 22 * s)
        #expect(out.breakerTransitions.isEmpty && out.alertTransitions.isEmpty)
    }
}
