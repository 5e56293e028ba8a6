import MeshtopModel

extension MeshtopQueries {
    /// Metric series (name, type, tags) aggregated over the window's flushes (docs/query.md):
    /// counters sum `count` and give `rate` = count / window seconds; gauges the last flush's value; timers,
    /// histograms and distributions sum `count` and `sum`, take the extreme `min`/`max`, `mean` = sum / count,
    /// and the percentiles of the latest flush (flush percentiles cannot be merged); sets the latest flush's
    /// unique count; OTLP exemplars' trace ids, the latest 4. `nameGlob` is SQLite GLOB (`*`, `?`, `[…]`, case-sensitive); every tag must be present.
    public func metrics(_ search: MetricSearch) throws -> [MetricRow] {
        let flushes = try reader.metricFlushes(search)
        var order: [String] = []
        var series: [String: [MetricRollup]] = [:]
        for f in flushes {
            let key = f.name + "|" + f.type.rawValue + "|" + f.tags.joined(separator: ",")
            if series[key] == nil { order.append(key) }
            series[key, default: []].append(f)
        }
        let rows = order.compactMap { series[$0].flatMap { Self.aggregate($0, seconds: search.window.seconds) } }
        return Array(
            rows.sorted {
                ($0.name, $0.type.rawValue, $0.tags.joined(separator: ",")) < (
                    $1.name, $1.type.rawValue, $1.tags.joined(separator: ",")
                )
            }.prefix(max(search.limit, 1)))
    }

    /// One series' flushes (oldest first) aggregated as documented on `metrics(_:)`.
    static func aggregate(_ flushes: [MetricRollup], seconds: Double) -> MetricRow? {
        guard let first = flushes.first, let latest = flushes.last else { return nil }
        var row = MetricRow(name: first.name, type: first.type, tags: first.tags, service: first.service)
        switch first.type {
        case .counter:
            let count = flushes.reduce(0) { $0 + ($1.count ?? 0) }
            row.count = count
            row.rate = count / seconds
            row.series = flushes.map { $0.count ?? 0 }
        case .gauge:
            row.last = latest.last
            row.series = flushes.map { $0.last ?? 0 }
        case .set:
            row.unique = latest.unique
            row.series = flushes.map { Double($0.unique ?? 0) }
        case .timer, .histogram, .distribution:
            let count = flushes.reduce(0) { $0 + ($1.count ?? 0) }
            let sum = flushes.reduce(0) { $0 + ($1.sum ?? 0) }
            row.count = count
            row.sum = sum
            row.rate = count / seconds
            row.min = flushes.compactMap(\.min).min()
            row.max = flushes.compactMap(\.max).max()
            row.mean = count > 0 ? sum / count : nil
            row.p50 = latest.p50
            row.p90 = latest.p90
            row.p95 = latest.p95
            row.p99 = latest.p99
            row.series = flushes.map { $0.mean ?? 0 }
        }
        for id in flushes.lazy.flatMap(\.exemplarTraceIDs) where !row.exemplarTraceIDs.contains(id) {
            if row.exemplarTraceIDs.count == 4 { row.exemplarTraceIDs.removeFirst() }
            row.exemplarTraceIDs.append(id)
        }
        return row
    }
}
