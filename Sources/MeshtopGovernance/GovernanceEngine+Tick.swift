import MeshtopModel

extension GovernanceEngine {
    /// Advances the engine: resolves spans whose parent did not come, feeds due calls to the breakers, flushes
    /// StatsD intervals that ended by `nowMicros` (receive clock), evaluates alerts for every evaluation time the
    /// alert clock passed, and returns what changed.
    ///
    /// - Parameter live: `nowMicros` is the wall clock of a live collector: calls that ended
    ///   `breakerLatenessMicros` before it are due even when event time stands still (see the type's doc). Replays
    ///   leave it false and run on event time alone.
    public func tick(nowMicros: Int64, live: Bool = false) -> GovernanceOutput {
        lastNow = nowMicros
        if live {
            let floor = nowMicros - config.breakerLatenessMicros
            liveFloor = liveFloor.map { max($0, floor) } ?? floor
        }
        if wallAtAdvance == nil, watermark != nil { wallAtAdvance = nowMicros }
        var out = GovernanceOutput()
        if let w = watermark {
            for c in index.expire(watermark: max(w, liveFloor ?? w)) { resolve(c, parent: nil) }
        }
        feedBreakers()
        swap(&out.unmatchedChildren, &unmatched)
        sweepInFlight(into: &out)
        out.breakerTransitions = pendingTransitions
        pendingTransitions.removeAll(keepingCapacity: true)
        out.breakers = drainBreakerStatuses() + reported.drainChanged()
        let flushed = statsd.drainKeyed(nowMicros: nowMicros)
        out.metricRollups = flushed.map(\.rollup)
        metricHistory.add(
            flushed, rules: rules.rules, keepMicros: rules.maxWindowMicros + config.metricFlushIntervalMicros,
            now: alertClock(nowMicros: nowMicros))
        if let w = watermark {
            // Minutes that ended 10 s ago rarely change: keep them encoded.
            book.freezeBefore = Minute.floor(w - 10_000_000)
        }
        // Rollups first: encoding them fills the caches the alert windows read.
        (out.serviceRollups, out.edgeRollups) = book.drainChanged()
        evaluateAlerts(nowMicros: nowMicros, into: &out)
        if let w = watermark { expire(watermark: w) }
        out.watermarkMicros = watermark ?? 0
        out.limitStats = limits.drainChanged()
        if thresholdsChanged {
            out.healthThresholds = rules.effectiveThresholds
            thresholdsChanged = false
        }
        return out
    }

    /// Sweeps the services' in-flight requests up to `concurrencyLatenessMicros` behind the watermark, or behind
    /// the wall clock of a live tick.
    func sweepInFlight(into out: inout GovernanceOutput) {
        guard let w = watermark else { return }
        let clock = liveFloor.map { max(w, $0 + config.breakerLatenessMicros) } ?? w
        out.serviceConcurrency = inFlight.sweep(
            upTo: clock - config.concurrencyLatenessMicros, forgetBefore: w - config.rollupLatenessMicros)
        counters.lateInFlight = inFlight.late
    }

    /// The edges in a stable order (cached until an edge is added or removed).
    func sortedEdgeKeys() -> [EdgeKey] {
        if let o = edgeOrder { return o }
        let o = edges.keys.sorted()
        edgeOrder = o
        return o
    }

    /// The end time up to which calls are due: `breakerLatenessMicros` behind the watermark, or the live floor.
    func feedCutoff(watermark w: Int64) -> Int64 {
        let behind = w - config.breakerLatenessMicros
        return liveFloor.map { max(behind, $0) } ?? behind
    }

    /// Feeds each edge's calls that are due (`feedCutoff`), in end-time order.
    func feedBreakers() {
        guard let w = watermark else { return }
        let cutoff = feedCutoff(watermark: w)
        var transitions: [BreakerTransition] = []
        var due: [LimitBook.Call] = []
        for (position, key) in sortedEdgeKeys().enumerated() {
            guard let e = edges[key], !e.pending.isEmpty else { continue }
            var list: Int32 = -1
            e.pending.sort { ($0.end, $0.duration, $0.failed ? 1 : 0) < ($1.end, $1.duration, $1.failed ? 1 : 0) }
            var n = 0
            while n < e.pending.count, e.pending[n].end <= cutoff {
                let c = e.pending[n]
                e.breaker.record(
                    endMicros: c.end, durationMicros: c.duration, failed: c.failed, transitions: &transitions)
                e.fedUpTo = max(e.fedUpTo, c.end)
                if !limits.isEmpty {
                    if list < 0 { list = limits.slotList(for: key) }
                    if !limits.isEmpty(list: list) {
                        due.append(
                            LimitBook.Call(end: c.end, order: Int32(position), list: list, duration: c.duration))
                    }
                }
                n += 1
            }
            if n > 0 {
                e.pending.removeFirst(n)
                e.dirty = true
            }
        }
        pendingTransitions.append(contentsOf: transitions)
        limits.feed(&due)
    }

    func drainBreakerStatuses() -> [BreakerStatus] {
        var out: [BreakerStatus] = []
        for key in sortedEdgeKeys() {
            guard let e = edges[key], e.dirty else { continue }
            e.dirty = false
            out.append(e.breaker.status)
        }
        return out
    }

    /// The watermark, or the wall clock after `quietAdvanceMicros` without new event time (see the type's doc).
    func alertClock(nowMicros: Int64) -> Int64 {
        guard let watermark else { return nowMicros }
        let quiet = nowMicros - (wallAtAdvance ?? nowMicros)
        return quiet > config.quietAdvanceMicros
            ? max(watermark, watermark + quiet - config.quietAdvanceMicros)
            : watermark
    }

    /// Drops state older than anything a rollup, an alert window or a log count can still need.
    func expire(watermark: Int64) {
        let keep = max(config.rollupLatenessMicros, rules.maxWindowMicros + 60_000_000)
        book.expire(watermark: watermark, retainMicros: keep)
        let cutoff = Minute.floor(watermark - keep)
        limits.expire(beforeMinute: cutoff)
        if logCounts.keys.contains(where: { $0.minute < cutoff }) {
            logCounts = logCounts.filter { $0.key.minute >= cutoff }
        }
        if knownServices.values.contains(where: { $0 < watermark - keep }) {
            knownServices = knownServices.filter { $0.value >= watermark - keep }
        }
        let idle = watermark - config.breakerIdleMicros
        if edges.values.contains(where: { $0.breaker.lastCallMicros < idle && $0.pending.isEmpty }) {
            edges = edges.filter { $0.value.breaker.lastCallMicros >= idle || !$0.value.pending.isEmpty }
            edgeOrder = nil
        }
        reported.forget(reportedBefore: idle)
    }
}
