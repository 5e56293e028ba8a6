import MeshtopGovernance
import MeshtopModel

/// The health thresholds readers judge by: the collector's (stored in `health_thresholds`), so `query services`,
/// `query topology` and the console agree with the collector's alerts; or a rules file given for a what-if.
struct HealthJudge {
    /// The thresholds the collector ran with (defaults when the database has none).
    let recorded: RuleSet
    /// The thresholds to judge by: `recorded`, or the what-if rules.
    let judging: RuleSet

    init(stored: [ServiceSettings], whatIf: RuleSet?) {
        recorded = RuleSet(thresholds: stored)
        judging = whatIf ?? recorded
    }

    /// The service's Apdex and health. Apdex counts were made at ingest with the recorded T; a what-if T
    /// recounts them from the merged latency histogram (within its 1 % precision).
    func judge(_ red: REDSummary, service: String, inboundBreakerOpen: Bool) -> (apdex: Double?, health: HealthState) {
        let t = judging.thresholds(for: service)
        var red = red
        if red.requests > 0, t.apdexTMicros != recorded.thresholds(for: service).apdexTMicros {
            let satisfied = red.histogram.fraction(atOrBelow: t.apdexTMicros)
            let tolerating = red.histogram.fraction(atOrBelow: 4 * t.apdexTMicros) - satisfied
            red.apdex = satisfied + tolerating / 2
        }
        return (red.apdex, red.health(inboundBreakerOpen: inboundBreakerOpen, thresholds: t))
    }
}

extension MeshtopQueries {
    /// RED and health per service with the collector's thresholds (`QueryReading`).
    public func services(window: TimeWindow) throws -> [ServiceRow] { try services(window: window, whatIf: nil) }

    /// The topology with the collector's thresholds (`QueryReading`).
    public func topology(window: TimeWindow) throws -> Topology { try topology(window: window, whatIf: nil) }
}
