import MeshtopModel

extension GovernanceEngine {
    /// Takes over the governance state another engine left in a shared store: a collector that becomes the
    /// governance leader (docs/scaling.md) seeds its engine from the breakers and alerts the old leader stored,
    /// before its first tick as leader. Reports nothing: no transition, no status, so no hook runs for it.
    ///
    /// Breakers (simulated ones; reported breakers follow what applications report): each edge's breaker takes
    /// the stored state (`CircuitBreaker.seed`): an open breaker keeps its open-since time, so its half-open probe
    /// comes when the old leader's would have. A stored row whose last call is older than `breakerIdleMicros`
    /// (behind the watermark, or `nowMicros` before any event time) is an edge the old engine had forgotten, and so
    /// is an edge without a row: its breaker is closed (its own window kept if it was closed). What does not carry
    /// over: the calls in the old leader's windows (the store keeps only their rates), so a closed breaker counts
    /// from the calls this engine received and a half-open one from the next probe.
    ///
    /// Alerts: the instances become the stored ones (`AlertTracker.seed`): a pending alert keeps its pending-since
    /// time (it fires at since + `for`, not at the takeover + `for`) and a firing one stays firing (no new
    /// transition); an instance the store does not hold is inactive.
    public func seed(breakers stored: [BreakerStatus], alerts storedAlerts: [AlertStatus], nowMicros: Int64) {
        let idle = (watermark ?? nowMicros) - config.breakerIdleMicros
        var seeded = Set<EdgeKey>()
        for s in stored where s.source == .simulated && s.state != .other && s.lastCallMicros >= idle {
            let key = EdgeKey(caller: s.caller, callee: s.callee)
            seeded.insert(key)
            if let e = edges[key] {
                e.breaker.seed(s)
            } else {
                var b = CircuitBreaker(
                    caller: s.caller, callee: s.callee, config: rules.breakerConfig(caller: s.caller, callee: s.callee),
                    startMicros: s.sinceMicros)
                b.seed(s)
                edges[key] = EdgeBreaker(b)
                edgeOrder = nil
            }
        }
        for (key, e) in edges where !seeded.contains(key) && e.breaker.currentState != .closed {
            e.breaker.seed(
                BreakerStatus(
                    caller: key.caller, callee: key.callee, source: .simulated, state: .closed, failureRate: nil,
                    slowCallRate: nil, callsInWindow: 0, wouldReject: e.breaker.wouldReject,
                    sinceMicros: watermark ?? nowMicros, lastCallMicros: e.breaker.lastCallMicros,
                    transitions: e.breaker.transitionCount))
        }
        alerts.seed(storedAlerts, rules: Set(rules.rules.map(\.name)))
    }
}
