import MeshtopGovernance
import MeshtopModel
import MeshtopStore

/// One breaker, alert or limit transition, replayed or as recorded by the collector.
public struct ReplayTransition: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case breaker, alert, limit }
    public enum Origin: String, Sendable, Hashable { case replayed, recorded }

    public var kind: Kind
    public var origin: Origin
    public var atMicros: Int64
    /// Breakers and edge limits: the edge; alerts: the `caller`/`callee` labels when present.
    public var caller: String?
    public var callee: String?
    /// Service limits and alerts with a `service` label.
    public var service: String?
    /// The alert or limit rule; nil for breakers.
    public var rule: String?
    public var from: String
    public var to: String
    /// Breakers: `simulated` or `reported`; nil otherwise.
    public var source: String?
    /// Breakers: failure rate; alerts: the value; limits: calls blocked in the minute.
    public var value: Double?
}

/// A limit rule's decisions on one resource summed over the window, replayed beside recorded.
public struct ReplayLimitTotal: Sendable, Hashable {
    public var rule: String
    public var service: String
    public var caller: String
    public var callee: String
    public var replayed = LimitCounts()
    public var recorded = LimitCounts()

    public struct LimitCounts: Sendable, Hashable {
        public var passed: Int64 = 0
        public var blocked: Int64 = 0
        public var queued: Int64 = 0
    }
}

/// What `meshtop replay` found.
public struct ReplayResult: Sendable, Hashable {
    public var window: TimeWindow
    public var spans: Int64 = 0
    public var logs: Int64 = 0
    /// Replayed and recorded transitions by time, replayed first at equal times.
    public var transitions: [ReplayTransition] = []
    public var limits: [ReplayLimitTotal] = []
}

/// `meshtop replay`: re-runs governance (breakers, limits, health-driven alerts) over the stored spans and logs
/// of a window in event-time order, in a fresh in-memory `GovernanceEngine`, and sets what it produces beside
/// what the collector recorded. Writes nothing.
///
/// Spans are read a page at a time by start time and fed by END time (a span read later starts, so ends, no
/// earlier than the last start read, so every buffered span ending before it is safe to feed); logs are merged in
/// by time. The engine is ticked on event time every evaluation interval (`live: false`); the final tick at the
/// window end is live, so calls that ended by `end − breakerLatenessMicros` are judged as a live collector would
/// have judged them by then (burst, then quiet). Metrics are not replayed: only flushed rollups are stored.
public struct ReplayRun {
    public let reader: any ReplayReader
    public var rules: RuleSet
    public var config: GovernanceConfig
    /// Rows per span or log page.
    public var pageSize: Int
    /// Recorded transitions read at most (each kind).
    public var recordedLimit: Int

    public init(
        reader: any ReplayReader, rules: RuleSet, config: GovernanceConfig = .default, pageSize: Int = 5_000,
        recordedLimit: Int = 100_000
    ) {
        self.reader = reader
        self.rules = rules
        self.config = config
        self.pageSize = max(1, pageSize)
        self.recordedLimit = recordedLimit
    }

    public func run(window: TimeWindow) throws -> ReplayResult {
        var state = State(engine: GovernanceEngine(config: config, rules: rules), window: window)
        var spanCursor: ReplayCursor?
        var logs = LogFeed(reader: reader, window: window, pageSize: pageSize)
        var pending: [Span] = []
        var spansDone = false
        while !spansDone {
            let (page, cursor) = try reader.replaySpans(window, after: spanCursor, limit: pageSize)
            spansDone = page.count < pageSize || cursor == nil
            if let cursor { spanCursor = cursor }
            state.result.spans += Int64(page.count)
            pending.append(contentsOf: page)
            pending.sort { ($0.endMicros, $0.startMicros) < ($1.endMicros, $1.startMicros) }
            let bound = spansDone ? Int64.max : (spanCursor?.timeMicros ?? Int64.max)
            let ready = pending.prefix { $0.endMicros < bound }.count
            var i = 0
            while true {
                let logTime = try logs.peekTime(before: bound)
                if i < ready, logTime.map({ pending[i].endMicros <= $0 }) ?? true {
                    state.feed(span: pending[i])
                    i += 1
                } else if logTime != nil, let log = try logs.next() {
                    state.feed(log: log)
                } else {
                    break
                }
            }
            pending.removeFirst(i)
        }
        state.result.logs = logs.count
        state.finish()
        try addRecorded(to: &state.result)
        return state.result
    }

    func addRecorded(to result: inout ReplayResult) throws {
        let w = result.window
        var recorded = try reader.breakerTransitions(in: w, limit: recordedLimit).map(ReplayTransition.init(breaker:))
        recorded += try reader.alertTransitions(in: w, limit: recordedLimit).map(ReplayTransition.init(alert:))
        for i in recorded.indices { recorded[i].origin = .recorded }
        result.transitions = (result.transitions + recorded).sorted { a, b in
            (a.atMicros, a.origin == .replayed ? 0 : 1) < (b.atMicros, b.origin == .replayed ? 0 : 1)
        }
        var totals = Dictionary(uniqueKeysWithValues: result.limits.map { (LimitKey($0), $0) })
        let firstMinute = w.sinceMicros - ((w.sinceMicros % 60_000_000) + 60_000_000) % 60_000_000
        for s in try reader.limitStats(fromMinute: firstMinute, until: w.untilMicros) {
            let key = LimitKey(rule: s.rule, service: s.service, caller: s.caller, callee: s.callee)
            var t =
                totals[key] ?? ReplayLimitTotal(rule: s.rule, service: s.service, caller: s.caller, callee: s.callee)
            t.recorded.passed += s.passed
            t.recorded.blocked += s.blocked
            t.recorded.queued += s.queued
            totals[key] = t
        }
        result.limits = totals.values.sorted { LimitKey($0) < LimitKey($1) }
    }
}

struct LimitKey: Hashable, Comparable {
    var rule, service, caller, callee: String

    init(rule: String, service: String, caller: String, callee: String) {
        self.rule = rule
        self.service = service
        self.caller = caller
        self.callee = callee
    }

    init(_ t: ReplayLimitTotal) { self.init(rule: t.rule, service: t.service, caller: t.caller, callee: t.callee) }

    static func < (a: LimitKey, b: LimitKey) -> Bool {
        (a.rule, a.service, a.caller, a.callee) < (b.rule, b.service, b.caller, b.callee)
    }
}

/// Logs of the window a page at a time, in time order.
struct LogFeed {
    let reader: any ReplayReader
    let window: TimeWindow
    let pageSize: Int
    var buffer: [LogRecord] = []
    var index = 0
    var cursor: ReplayCursor?
    var exhausted = false
    var count: Int64 = 0

    init(reader: any ReplayReader, window: TimeWindow, pageSize: Int) {
        self.reader = reader
        self.window = window
        self.pageSize = pageSize
    }

    mutating func fill() throws {
        guard index >= buffer.count, !exhausted else { return }
        let (page, next) = try reader.replayLogs(window, after: cursor, limit: pageSize)
        buffer = page
        index = 0
        if let next { cursor = next }
        exhausted = page.count < pageSize
    }

    /// The next log's time when it is before `bound`.
    mutating func peekTime(before bound: Int64) throws -> Int64? {
        try fill()
        guard index < buffer.count, buffer[index].timeMicros < bound else { return nil }
        return buffer[index].timeMicros
    }

    mutating func next() throws -> LogRecord? {
        try fill()
        guard index < buffer.count else { return nil }
        defer {
            index += 1
            count += 1
        }
        return buffer[index]
    }
}

/// The engine, its event-time ticks and what they produced.
struct State {
    let engine: GovernanceEngine
    var result: ReplayResult
    var nextTick: Int64
    /// Latest per-minute decisions by minute and resource (a tick reports a changed minute's full counts).
    var limitMinutes: [Int64: [LimitKey: LimitStat]] = [:]

    init(engine: GovernanceEngine, window: TimeWindow) {
        self.engine = engine
        result = ReplayResult(window: window)
        let interval = engine.config.evaluationIntervalMicros
        let r = ((window.sinceMicros % interval) + interval) % interval
        nextTick = window.sinceMicros - r + interval
    }

    /// Ticks for every evaluation time up to `t` (never past the window end), each a live tick at that time: replay
    /// plays a collector that received every span when it ended, so idle stretches move the watermark as live.
    mutating func advance(to t: Int64) {
        let limit = min(t, result.window.untilMicros)
        while nextTick <= limit {
            collect(engine.tick(nowMicros: nextTick, live: true))
            nextTick += engine.config.evaluationIntervalMicros
        }
    }

    mutating func feed(span: Span) {
        advance(to: span.endMicros)
        engine.ingest(span: span)
    }

    mutating func feed(log: LogRecord) {
        advance(to: log.timeMicros)
        engine.ingest(log: log)
    }

    mutating func finish() {
        advance(to: result.window.untilMicros)
        collect(engine.tick(nowMicros: result.window.untilMicros, live: true))
        var totals: [LimitKey: ReplayLimitTotal] = [:]
        var previous: [LimitKey: Bool] = [:]
        for minute in limitMinutes.keys.sorted() {
            for (key, s) in limitMinutes[minute]!.sorted(by: { $0.key < $1.key }) {
                var t =
                    totals[key]
                    ?? ReplayLimitTotal(rule: s.rule, service: s.service, caller: s.caller, callee: s.callee)
                t.replayed.passed += s.passed
                t.replayed.blocked += s.blocked
                t.replayed.queued += s.queued
                totals[key] = t
                let blocking = s.blocked > 0
                if blocking != (previous[key] ?? false) {
                    result.transitions.append(
                        ReplayTransition(
                            kind: .limit, origin: .replayed, atMicros: minute, caller: s.caller.nilIfEmpty,
                            callee: s.callee.nilIfEmpty, service: s.service.nilIfEmpty, rule: s.rule,
                            from: blocking ? "passing" : "blocking", to: blocking ? "blocking" : "passing",
                            source: nil, value: Double(s.blocked)))
                }
                previous[key] = blocking
            }
        }
        result.limits = Array(totals.values)
    }

    mutating func collect(_ out: GovernanceOutput) {
        result.transitions += out.breakerTransitions.map(ReplayTransition.init(breaker:))
        result.transitions += out.alertTransitions.map(ReplayTransition.init(alert:))
        for s in out.limitStats {
            limitMinutes[s.minuteMicros, default: [:]][
                LimitKey(rule: s.rule, service: s.service, caller: s.caller, callee: s.callee)] = s
        }
    }
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}

extension ReplayTransition {
    init(breaker t: BreakerTransition) {
        self.init(
            kind: .breaker, origin: .replayed, atMicros: t.atMicros, caller: t.caller, callee: t.callee,
            service: nil, rule: nil, from: t.from.rawValue, to: t.to.rawValue, source: t.source.rawValue,
            value: t.failureRate)
    }

    init(alert t: AlertTransition) {
        let label = { (k: String) in t.labels.first { $0.key == k }?.value.text }
        self.init(
            kind: .alert, origin: .replayed, atMicros: t.atMicros, caller: label("caller"), callee: label("callee"),
            service: label("service"), rule: t.rule, from: t.from.rawValue, to: t.to.rawValue, source: nil,
            value: t.value)
    }
}
