import GRDB
import MeshtopModel

/// A row of `breakers`: one circuit breaker's current state, keyed by (caller, callee, source).
struct BreakerRecord: FetchableRecord, PersistableRecord {
    static let databaseTableName = "breakers"
    /// The newest state of a breaker replaces the stored one.
    static let persistenceConflictPolicy = PersistenceConflictPolicy(insert: .replace, update: .replace)

    enum Columns {
        static let caller = Column("caller")
        static let callee = Column("callee")
        static let source = Column("source")
        static let state = Column("state")
        static let failureRate = Column("failure_rate")
        static let slowCallRate = Column("slow_call_rate")
        static let callsInWindow = Column("calls_in_window")
        static let wouldReject = Column("would_reject")
        static let since = Column("since_us")
        static let lastCall = Column("last_call_us")
        static let transitions = Column("transitions")
    }

    var status: BreakerStatus

    init(_ status: BreakerStatus) { self.status = status }

    init(row: Row) throws {
        status = BreakerStatus(
            caller: row[Columns.caller], callee: row[Columns.callee],
            source: BreakerSource(rawValue: row[Columns.source]) ?? .simulated,
            state: BreakerState(rawValue: row[Columns.state]) ?? .other, failureRate: row[Columns.failureRate],
            slowCallRate: row[Columns.slowCallRate], callsInWindow: row[Columns.callsInWindow],
            wouldReject: row[Columns.wouldReject], sinceMicros: row[Columns.since],
            lastCallMicros: row[Columns.lastCall], transitions: row[Columns.transitions])
    }

    func encode(to container: inout PersistenceContainer) {
        container[Columns.caller] = status.caller
        container[Columns.callee] = status.callee
        container[Columns.source] = status.source.rawValue
        container[Columns.state] = status.state.rawValue
        container[Columns.failureRate] = status.failureRate
        container[Columns.slowCallRate] = status.slowCallRate
        container[Columns.callsInWindow] = status.callsInWindow
        container[Columns.wouldReject] = status.wouldReject
        container[Columns.since] = status.sinceMicros
        container[Columns.lastCall] = status.lastCallMicros
        container[Columns.transitions] = status.transitions
    }
}

/// A row of `breaker_transitions` (append-only; `id` orders transitions at the same time).
struct BreakerTransitionRecord: FetchableRecord, PersistableRecord {
    static let databaseTableName = "breaker_transitions"

    enum Columns {
        static let id = Column("id")
        static let caller = Column("caller")
        static let callee = Column("callee")
        static let source = Column("source")
        static let at = Column("at_us")
        static let from = Column("from_state")
        static let to = Column("to_state")
        static let failureRate = Column("failure_rate")
        static let slowCallRate = Column("slow_call_rate")
        static let calls = Column("calls")
        static let failedCalls = Column("failed_calls")
        static let slowCalls = Column("slow_calls")
    }

    var transition: BreakerTransition

    init(_ transition: BreakerTransition) { self.transition = transition }

    init(row: Row) throws {
        transition = BreakerTransition(
            caller: row[Columns.caller], callee: row[Columns.callee],
            source: BreakerSource(rawValue: row[Columns.source]) ?? .simulated, atMicros: row[Columns.at],
            from: BreakerState(rawValue: row[Columns.from]) ?? .other,
            to: BreakerState(rawValue: row[Columns.to]) ?? .other, failureRate: row[Columns.failureRate],
            slowCallRate: row[Columns.slowCallRate], calls: row[Columns.calls], failedCalls: row[Columns.failedCalls],
            slowCalls: row[Columns.slowCalls])
    }

    func encode(to container: inout PersistenceContainer) {
        container[Columns.caller] = transition.caller
        container[Columns.callee] = transition.callee
        container[Columns.source] = transition.source.rawValue
        container[Columns.at] = transition.atMicros
        container[Columns.from] = transition.from.rawValue
        container[Columns.to] = transition.to.rawValue
        container[Columns.failureRate] = transition.failureRate
        container[Columns.slowCallRate] = transition.slowCallRate
        container[Columns.calls] = transition.calls
        container[Columns.failedCalls] = transition.failedCalls
        container[Columns.slowCalls] = transition.slowCalls
    }
}

/// A row of `alerts`: one alert's current state, keyed by its fingerprint. `labels` is stored as JSON object
/// text (`JSONText.encode`); reading it back needs the database's JSON parser (`JSONColumns`), so a fetched
/// record carries the text and `status.labels` is empty until decoded.
struct AlertRecord: FetchableRecord, PersistableRecord {
    static let databaseTableName = "alerts"
    /// The newest state of an alert replaces the stored one.
    static let persistenceConflictPolicy = PersistenceConflictPolicy(insert: .replace, update: .replace)

    enum Columns {
        static let fingerprint = Column("fingerprint")
        static let rule = Column("rule")
        static let severity = Column("severity")
        static let labels = Column("labels")
        static let state = Column("state")
        static let value = Column("value")
        static let since = Column("since_us")
        static let firedAt = Column("fired_at_us")
        static let resolvedAt = Column("resolved_at_us")
        static let summary = Column("summary")
    }

    var status: AlertStatus
    var labelsJSON: String

    init(_ status: AlertStatus) {
        self.status = status
        labelsJSON = JSONText.encode(status.labels)
    }

    init(row: Row) throws {
        labelsJSON = row[Columns.labels]
        status = AlertStatus(
            rule: row[Columns.rule], severity: row[Columns.severity], labels: [],
            state: AlertState(rawValue: row[Columns.state]) ?? .inactive, value: row[Columns.value],
            sinceMicros: row[Columns.since], firedAtMicros: row[Columns.firedAt],
            resolvedAtMicros: row[Columns.resolvedAt], summary: row[Columns.summary])
    }

    func encode(to container: inout PersistenceContainer) {
        container[Columns.fingerprint] = status.fingerprint
        container[Columns.rule] = status.rule
        container[Columns.severity] = status.severity
        container[Columns.labels] = labelsJSON
        container[Columns.state] = status.state.rawValue
        container[Columns.value] = status.value
        container[Columns.since] = status.sinceMicros
        container[Columns.firedAt] = status.firedAtMicros
        container[Columns.resolvedAt] = status.resolvedAtMicros
        container[Columns.summary] = status.summary
    }
}

/// A row of `alert_history` (append-only, kept forever). Labels as in `AlertRecord`.
struct AlertHistoryRecord: FetchableRecord, PersistableRecord {
    static let databaseTableName = "alert_history"

    enum Columns {
        static let id = Column("id")
        static let fingerprint = Column("fingerprint")
        static let rule = Column("rule")
        static let severity = Column("severity")
        static let labels = Column("labels")
        static let from = Column("from_state")
        static let to = Column("to_state")
        static let at = Column("at_us")
        static let value = Column("value")
        static let summary = Column("summary")
    }

    var transition: AlertTransition
    var labelsJSON: String

    init(_ transition: AlertTransition) {
        self.transition = transition
        labelsJSON = JSONText.encode(transition.labels)
    }

    init(row: Row) throws {
        labelsJSON = row[Columns.labels]
        transition = AlertTransition(
            rule: row[Columns.rule], severity: row[Columns.severity], labels: [],
            from: AlertState(rawValue: row[Columns.from]) ?? .inactive,
            to: AlertState(rawValue: row[Columns.to]) ?? .inactive, atMicros: row[Columns.at],
            value: row[Columns.value], summary: row[Columns.summary])
    }

    /// The fingerprint of the alert this transition belongs to (its rule, severity and labels).
    var fingerprint: String {
        AlertStatus(
            rule: transition.rule, severity: transition.severity, labels: transition.labels, state: transition.to,
            value: transition.value, sinceMicros: transition.atMicros, summary: transition.summary
        ).fingerprint
    }

    func encode(to container: inout PersistenceContainer) {
        container[Columns.fingerprint] = fingerprint
        container[Columns.rule] = transition.rule
        container[Columns.severity] = transition.severity
        container[Columns.labels] = labelsJSON
        container[Columns.from] = transition.from.rawValue
        container[Columns.to] = transition.to.rawValue
        container[Columns.at] = transition.atMicros
        container[Columns.value] = transition.value
        container[Columns.summary] = transition.summary
    }
}

/// A row of `health_thresholds`: one `services:` entry of the rules the collector runs, in order (`position`);
/// the last is the default (`match: "*"`). The whole table is replaced when the rules change.
struct HealthThresholdRecord: FetchableRecord, PersistableRecord {
    static let databaseTableName = "health_thresholds"

    enum Columns {
        static let position = Column("position")
        static let match = Column("match")
        static let apdexT = Column("apdex_t_us")
        static let latencyObjective = Column("latency_objective_us")
        static let degradedErrorRate = Column("error_rate_degraded")
        static let failingErrorRate = Column("error_rate_failing")
        static let minApdex = Column("min_apdex")
        static let updated = Column("updated_us")
    }

    var position: Int
    var settings: ServiceSettings
    var updatedMicros: Int64

    init(position: Int, settings: ServiceSettings, updatedMicros: Int64) {
        self.position = position
        self.settings = settings
        self.updatedMicros = updatedMicros
    }

    init(row: Row) throws {
        position = row[Columns.position]
        updatedMicros = row[Columns.updated]
        settings = ServiceSettings(
            match: row[Columns.match],
            thresholds: HealthThresholds(
                apdexTMicros: row[Columns.apdexT], latencyObjectiveMicros: row[Columns.latencyObjective],
                degradedErrorRate: row[Columns.degradedErrorRate], failingErrorRate: row[Columns.failingErrorRate],
                minApdex: row[Columns.minApdex]))
    }

    func encode(to container: inout PersistenceContainer) {
        let t = settings.thresholds
        container[Columns.position] = position
        container[Columns.match] = settings.match
        container[Columns.apdexT] = t.apdexTMicros
        container[Columns.latencyObjective] = t.latencyObjectiveMicros
        container[Columns.degradedErrorRate] = t.degradedErrorRate
        container[Columns.failingErrorRate] = t.failingErrorRate
        container[Columns.minApdex] = t.minApdex
        container[Columns.updated] = updatedMicros
    }
}

/// A row of `limit_stats`: one flow rule's decisions on one resource over one minute, keyed by (minute, rule,
/// service, caller, callee); a newer count for the same key replaces the stored one.
struct LimitStatRecord: FetchableRecord, PersistableRecord {
    static let databaseTableName = "limit_stats"
    static let persistenceConflictPolicy = PersistenceConflictPolicy(insert: .replace, update: .replace)

    enum Columns {
        static let minute = Column("minute_us")
        static let rule = Column("rule")
        static let service = Column("service")
        static let caller = Column("caller")
        static let callee = Column("callee")
        static let passed = Column("passed")
        static let blocked = Column("blocked")
        static let queued = Column("queued")
    }

    var stat: LimitStat

    init(_ stat: LimitStat) { self.stat = stat }

    init(row: Row) throws {
        stat = LimitStat(
            minuteMicros: row[Columns.minute], rule: row[Columns.rule], service: row[Columns.service],
            caller: row[Columns.caller], callee: row[Columns.callee], passed: row[Columns.passed],
            blocked: row[Columns.blocked], queued: row[Columns.queued])
    }

    func encode(to container: inout PersistenceContainer) {
        container[Columns.minute] = stat.minuteMicros
        container[Columns.rule] = stat.rule
        container[Columns.service] = stat.service
        container[Columns.caller] = stat.caller
        container[Columns.callee] = stat.callee
        container[Columns.passed] = stat.passed
        container[Columns.blocked] = stat.blocked
        container[Columns.queued] = stat.queued
    }
}
