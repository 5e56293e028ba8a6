import MeshtopModel

/// StatsD flush aggregation (etsy/statsd `docs/metric_types.md`, `stats.js`, `lib/process_metrics.js`).
/// Pre-aggregated distribution points (OTLP histograms and summaries, `MetricSample.distribution`) are merged
/// into the same rollup by `DistributionMerge`.
///
/// Flushes happen on the receive clock, like statsd's wall-clock `flushInterval` (default 10 s): intervals are
/// aligned to multiples of the interval since the Unix epoch, so the rollup for `[t, t + 10 s)` holds every sample
/// received in it. Per flush: counters give `count` (Σ value / rate) and `rate` = count / interval; gauges their
/// `last` value (they persist across flushes, like statsd without `deleteGauges`); timers, histograms and
/// distributions give count (Σ 1 / rate), sum, mean, min, max, std (population), `p50` = statsd's `median`, and
/// `p90`/`p95`/`p99` = statsd's `upper_p`; sets give `unique`. A series without samples keeps being written the
/// way statsd does (counters 0, timers count 0, sets 0, gauges their value) until it has been idle for
/// `idleMicros` (default 5 minutes), then it is forgotten. `|T` samples are emitted at their own time, unaggregated.
struct StatsdAggregator {
    let intervalMicros: Int64
    let idleMicros: Int64
    private var series: [String: StatsdSeries] = [:]
    /// The series of each (name, type, tags) seen since the last idle removal, so a sample finds its series
    /// without building its `seriesKey` string (measured: half the aggregator's cost per sample). Distinct ids
    /// whose keys collide point to the same series, as they do in `series`.
    private var byID: [SeriesID: StatsdSeries] = [:]
    private var intervalStart: Int64?
    /// Rollups due, with their series keys.
    private var pending: [Flushed] = []

    /// What `MetricSample.seriesKey` is built from.
    private struct SeriesID: Hashable {
        var name: String
        var type: MetricType
        var tags: [String]
    }

    /// A rollup due, with its series key and (for an interval flush) the series that made it.
    struct Flushed {
        var key: String
        var rollup: MetricRollup
        var series: StatsdSeries?
    }

    init(intervalMicros: Int64 = 10_000_000, idleMicros: Int64 = 300_000_000) {
        self.intervalMicros = max(1, intervalMicros)
        self.idleMicros = idleMicros
    }

    var seriesCount: Int { series.count }

    private func align(_ t: Int64) -> Int64 {
        t >= 0 ? t / intervalMicros * intervalMicros : (t - intervalMicros + 1) / intervalMicros * intervalMicros
    }

    mutating func ingest(_ m: MetricSample, receivedAtMicros now: Int64) {
        flushIfDue(nowMicros: now)
        if let ts = m.timestampMicros {
            pending.append(Flushed(key: m.seriesKey, rollup: StatsdSeries.point(m, at: ts)))
            return
        }
        if intervalStart == nil { intervalStart = align(now) }
        let id = SeriesID(name: m.name, type: m.type, tags: m.tags)
        if let s = byID[id] {
            s.add(m, at: now)
            return
        }
        let key = m.seriesKey
        let s: StatsdSeries
        if let known = series[key] {
            s = known
        } else {
            s = StatsdSeries(m)
            series[key] = s
        }
        byID[id] = s
        s.add(m, at: now)
    }

    /// Flushes every interval that ended at or before `now` and returns the rollups due.
    mutating func drain(nowMicros now: Int64) -> [MetricRollup] {
        drainKeyed(nowMicros: now).map(\.rollup)
    }

    /// `drain` with each rollup's series key.
    mutating func drainKeyed(nowMicros now: Int64) -> [Flushed] {
        flushIfDue(nowMicros: now)
        let out = pending
        pending.removeAll(keepingCapacity: true)
        return out
    }

    private mutating func flushIfDue(nowMicros now: Int64) {
        guard let start = intervalStart, now >= start + intervalMicros else { return }
        let end = start + intervalMicros
        var idle: [String] = []
        for (key, s) in series {
            if end - s.lastSeenMicros > idleMicros {
                idle.append(key)
                continue
            }
            pending.append(
                Flushed(key: key, rollup: s.flush(timeMicros: start, intervalMicros: intervalMicros), series: s))
        }
        for k in idle { series.removeValue(forKey: k) }
        if !idle.isEmpty { byID.removeAll(keepingCapacity: true) }
        // Idle gaps are skipped: the next interval starts where the receive clock is now.
        intervalStart = series.isEmpty ? nil : (now >= end + intervalMicros ? align(now) : end)
    }
}
