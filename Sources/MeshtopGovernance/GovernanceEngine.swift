import MeshtopModel

/// The collector's governance engine: RED rollups, topology, simulated and reported breakers, StatsD flushes and
/// alerts, computed from ingested model values.
///
/// Not thread-safe. In the collector it is fed from two threads through `GovernanceFeed`, which holds it behind a
/// lock: the event loop calls `ingest` for the spans and logs of every accepted chunk, the writer thread feeds
/// metric samples, runs `tick` periodically and reloads rules. `meshtop replay` and the benchmarks own one on a
/// single thread. It is not `Sendable`; move it between tasks only by handing it over.
///
/// Clocks. Rollups and breakers run on event time: a span belongs to the minute holding its END time, and the
/// watermark is the largest span end / log time seen (ignoring times more than `maxFutureSkewMicros` ahead of
/// the last `tick`'s `nowMicros`). Breakers get each edge's calls in end-time order once they are
/// `breakerLatenessMicros` behind the watermark. Alerts are evaluated every `evaluationIntervalMicros` on the
/// alert clock, which is the watermark — so feeding the same records with the same ticks gives the same
/// output — except that when no new event time arrives for `quietAdvanceMicros` of wall time (`nowMicros`), the
/// alert clock moves on with the wall clock so that alerts on a silent system still resolve. With no event time
/// at all (metrics only), the alert clock is `nowMicros`. StatsD flushes follow the receive clock, like statsd.
///
/// Live ticks (`tick(nowMicros:live: true)`, the collector only) also let the clock move the breakers' feed and
/// the parent waits: calls that ended by `nowMicros − breakerLatenessMicros` are fed even when no newer event
/// arrives (burst, then quiet), so every call reaches its breaker within one tick plus the lateness bound.
/// Replays tick without `live` and keep pure event time.
public final class GovernanceEngine {
    public private(set) var config: GovernanceConfig
    public private(set) var rules: RuleSet

    var index: TraceIndex
    var book = RollupBook()
    var limits = LimitBook()
    var inFlight = ConcurrencyBook()
    var edges: [EdgeKey: EdgeBreaker] = [:]
    var edgeOrder: [EdgeKey]?
    var reported = ReportedBreakers()
    var statsd: StatsdAggregator
    var alerts: AlertTracker
    var metricHistory = MetricHistory()
    var logCounts: [ServiceMinuteKey: [Int64]] = [:]
    var knownServices: [String: Int64] = [:]
    var apdexCache: [String: Int64] = [:]
    var pendingTransitions: [BreakerTransition] = []
    /// Record each span whose parent does not come within the parent wait (`GovernanceOutput.unmatchedChildren`),
    /// for a store shared by several collectors, where the parent may have reached another one (docs/scaling.md).
    public var recordsUnmatchedChildren = false {
        didSet { if !recordsUnmatchedChildren { unmatched.removeAll() } }
    }
    var unmatched: [UnmatchedChild] = []
    /// The thresholds are reported by the next tick (set at start and by `reload`).
    var thresholdsChanged = true
    var counters = GovernanceStats()

    /// The largest span end / log time seen; nil before the first one.
    var watermark: Int64?
    /// The live collector's clock floor (`now − breakerLatenessMicros` of its last live tick): calls and waiting
    /// children at or before it are due even when no newer event time arrives. nil when not live.
    var liveFloor: Int64?
    var lastNow: Int64?
    var wallAtAdvance: Int64?
    var nextEvaluation: Int64?

    public init(config: GovernanceConfig = .default, rules: RuleSet = .empty) {
        self.config = config
        self.rules = rules
        index = TraceIndex(
            maxSpans: config.maxBufferedSpans, maxWaiting: config.maxWaitingSpans,
            retainMicros: config.spanRetainMicros, parentWaitMicros: config.parentWaitMicros)
        statsd = StatsdAggregator(
            intervalMicros: config.metricFlushIntervalMicros, idleMicros: config.metricIdleMicros)
        alerts = AlertTracker(resolvedRetentionMicros: config.resolvedRetentionMicros)
        limits.reload(rules.limits)
    }

    /// Replaces the rules: thresholds and breaker configs apply from now on (open breakers keep their state),
    /// alert instances of rules that still exist keep their state.
    public func reload(rules: RuleSet) {
        self.rules = rules
        thresholdsChanged = true
        limits.reload(rules.limits)
        apdexCache.removeAll()
        for (k, e) in edges {
            e.breaker.reconfigure(rules.breakerConfig(caller: k.caller, callee: k.callee))
        }
        alerts.retain(rules: Set(rules.rules.map(\.name)))
        metricHistory.retain(rules: rules.rules)
    }

    /// Buffer sizes and counters.
    public var stats: GovernanceStats {
        var s = counters
        s.trace = index.stats
        s.pendingCalls = edges.values.reduce(0) { $0 + $1.pending.count }
        s.breakers = edges.count + reported.statuses.count
        s.metricSeries = statsd.seriesCount
        s.alertInstances = alerts.instances.count
        s.watermarkMicros = watermark ?? 0
        return s
    }

    // MARK: Ingest

    /// Moves the watermark; false (and counted) when `t` is too far ahead of the wall clock to be trusted.
    @inline(__always)
    func advance(_ t: Int64) -> Bool {
        if let now = lastNow, t > now + config.maxFutureSkewMicros {
            counters.futureRecords += 1
            return false
        }
        if watermark.map({ t > $0 }) ?? true {
            watermark = t
            wallAtAdvance = lastNow
        }
        return true
    }

    /// False for a time more than `rollupLatenessMicros` behind the watermark: its minute was written.
    @inline(__always)
    func isOnTime(_ t: Int64) -> Bool {
        guard let w = watermark else { return true }
        return t >= w - config.rollupLatenessMicros
    }

    func apdexT(_ service: String) -> Int64 {
        if let t = apdexCache[service] { return t }
        let t = rules.thresholds(for: service).apdexTMicros
        apdexCache[service] = t
        return t
    }

    /// Feeds one span (any order, any arrival time).
    public func ingest(span s: Span) {
        counters.spans += 1
        guard advance(s.endMicros) else { return }
        let key = SpanKey(trace: s.traceID, span: s.spanID)
        var node = SpanNode(
            service: s.service, kind: s.kind, isError: s.isError, countedAsCall: false, endMicros: s.endMicros)
        let peer = (s.kind == .client || s.kind == .producer) ? s.peerService : nil
        if let p = peer, !p.isEmpty, p != s.service { node.countedAsCall = true }
        let children = index.insert(key, node)
        if node.countedAsCall, let p = peer {
            // The client span IS the call; a server child already seen names the real callee and its error.
            let child = children.first { $0.service != s.service }
            call(
                EdgeKey(caller: s.service, callee: child?.service ?? p), end: s.endMicros,
                duration: s.durationMicros, failed: s.isError || child?.isError == true)
        }
        if s.kind == .server || s.kind == .consumer {
            request(service: s.service, end: s.endMicros, duration: s.durationMicros, failed: s.isError)
        }
        if let p = s.parentID, !p.isZero {
            if let parent = index.node(SpanKey(trace: s.traceID, span: p)) {
                resolve(WaitingChild(s), parent: parent)
            } else {
                for c in index.wait(for: SpanKey(trace: s.traceID, span: p), child: WaitingChild(s)) {
                    resolve(c, parent: nil)
                }
            }
        } else if s.kind == .unspecified {
            request(service: s.service, end: s.endMicros, duration: s.durationMicros, failed: s.isError)
        }
        for c in children { resolve(c, parent: node) }
    }

    /// A span whose parent is known (or known to be absent): requests of kind-less spans, and edges.
    func resolve(_ c: WaitingChild, parent: SpanNode?) {
        if parent == nil, recordsUnmatchedChildren, !c.parent.isZero {
            unmatched.append(
                UnmatchedChild(
                    traceID: c.key.trace, parentID: c.parent, service: c.service, kind: c.kind, isError: c.isError,
                    endMicros: c.endMicros, durationMicros: c.durationMicros))
        }
        if c.kind == .unspecified, parent == nil || parent?.service != c.service {
            request(service: c.service, end: c.endMicros, duration: c.durationMicros, failed: c.isError)
        }
        guard let p = parent, p.service != c.service, !p.countedAsCall else { return }
        call(
            EdgeKey(caller: p.service, callee: c.service), end: c.endMicros, duration: c.durationMicros,
            failed: c.isError || (p.kind == .client && p.isError))
    }

    func request(service: String, end: Int64, duration: Int64, failed: Bool) {
        knownServices[service] = max(knownServices[service] ?? end, end)
        guard isOnTime(end) else {
            counters.lateSpans += 1
            return
        }
        book.addRequest(
            service: service, endMicros: end, durationMicros: duration, isError: failed, apdexT: apdexT(service))
        inFlight.add(service: service, start: end - duration, end: end)
    }

    func call(_ edge: EdgeKey, end: Int64, duration: Int64, failed: Bool) {
        if isOnTime(end) {
            book.addCall(edge, endMicros: end, durationMicros: duration, isError: failed)
        }
        let e: EdgeBreaker
        if let x = edges[edge] {
            e = x
        } else {
            e = EdgeBreaker(
                CircuitBreaker(
                    caller: edge.caller, callee: edge.callee,
                    config: rules.breakerConfig(caller: edge.caller, callee: edge.callee), startMicros: end))
            edges[edge] = e
            edgeOrder = nil
        }
        if end < e.fedUpTo { counters.lateCalls += 1 }
        e.pending.append(PendingCall(end: end, duration: duration, failed: failed))
    }

    /// Feeds one log record: counts for `log_rate`, and breaker states reported in logs.
    public func ingest(log: LogRecord) {
        counters.logs += 1
        guard advance(log.timeMicros) else { return }
        let key = ServiceMinuteKey(minute: Minute.floor(log.timeMicros), service: log.service)
        if isOnTime(log.timeMicros) {
            logCounts[key, default: [Int64](repeating: 0, count: 8)][log.severity.rawValue] += 1
        }
        reported.observe(log: log, transitions: &pendingTransitions)
    }

    /// Feeds one StatsD sample with the time it was received (the flush clock).
    public func ingest(metric: MetricSample, receivedAtMicros: Int64) {
        counters.metrics += 1
        statsd.ingest(metric, receivedAtMicros: receivedAtMicros)
        reported.observe(metric: metric, at: receivedAtMicros, transitions: &pendingTransitions)
    }
}

/// A call waiting for the watermark before it reaches its edge's breaker.
struct PendingCall: Sendable {
    var end: Int64
    var duration: Int64
    var failed: Bool
}

/// One edge's breaker and the calls not yet fed to it.
final class EdgeBreaker {
    var breaker: CircuitBreaker
    var pending: [PendingCall] = []
    /// The largest end time fed so far.
    var fedUpTo: Int64 = Int64.min
    var dirty = false

    init(_ b: CircuitBreaker) { breaker = b }
}
