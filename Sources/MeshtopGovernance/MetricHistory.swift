import MeshtopModel

/// Recent StatsD flushes of the series some `metric:` rule looks at (only those are kept), for alert windows.
struct MetricHistory {
    private(set) var series: [String: [MetricRollup]] = [:]
    private var matches: [String: Bool] = [:]
    /// Bumped whenever `matches` is cleared: answers cached on series objects before it are stale.
    private var generation = 0
    /// `series`' keys in ascending order; nil after a key was added or dropped.
    private var sortedKeys: [String]?
    /// Per rule signal and scope, whether each key of `sortedKeys` matches, with the service it was matched on (a
    /// key fixes the series' name and tags, not its service).
    private var ruleMatches: [RuleScope: [(service: String, matches: Bool)?]] = [:]

    struct RuleScope: Hashable {
        var signal: AlertSignal
        var scope: AlertScope
    }

    static func matches(_ rule: AlertRule, _ r: MetricRollup) -> Bool {
        guard case .metric(let name, _) = rule.signal else { return false }
        guard Glob.matches(name, r.name), Glob.matches(rule.scope.service, r.service) else { return false }
        for (k, pattern) in rule.scope.tags {
            let value = r.tags.first { $0 == k || $0.hasPrefix(k + ":") }.map { tag in
                tag.count > k.count ? String(tag.dropFirst(k.count + 1)) : ""
            }
            guard let v = value, Glob.matches(pattern, v) else { return false }
        }
        return true
    }

    mutating func add(_ rollups: [StatsdAggregator.Flushed], rules: [AlertRule], keepMicros: Int64, now: Int64) {
        let metricRules = rules.filter { if case .metric = $0.signal { return true } else { return false } }
        guard !metricRules.isEmpty else { return }
        for i in rollups.indices {
            let k = rollups[i].key
            let wanted: Bool
            if let s = rollups[i].series, let h = s.historyWanted, h.generation == generation {
                wanted = h.wanted
            } else {
                if let m = matches[k] {
                    wanted = m
                } else {
                    wanted = metricRules.contains { Self.matches($0, rollups[i].rollup) }
                    matches[k] = wanted
                }
                rollups[i].series?.historyWanted = (generation, wanted)
            }
            guard wanted else { continue }
            if series[k]?.append(rollups[i].rollup) == nil {
                series[k] = [rollups[i].rollup]
                sortedKeys = nil
            }
        }
        for (k, list) in series where list.first.map({ $0.timeMicros < now - keepMicros }) == true {
            let kept = list.filter { $0.timeMicros >= now - keepMicros }
            series[k] = kept.isEmpty ? nil : kept
            if kept.isEmpty { sortedKeys = nil }
        }
    }

    mutating func retain(rules: [AlertRule]) {
        matches.removeAll()
        generation += 1
        series = series.filter { _, list in
            guard let r = list.last else { return false }
            return rules.contains { Self.matches($0, r) }
        }
        sortedKeys = nil
    }

    /// The rule's value for each matching series over `(t − window, t]`.
    mutating func values(_ rule: AlertRule, agg: MetricAggregation, at t: Int64) -> [(MetricRollup, Double)] {
        let keys: [String]
        if let k = sortedKeys {
            keys = k
        } else {
            keys = series.keys.sorted()
            sortedKeys = keys
            ruleMatches.removeAll()
        }
        let rs = RuleScope(signal: rule.signal, scope: rule.scope)
        var known = ruleMatches.removeValue(forKey: rs) ?? []
        if known.count != keys.count { known = Array(repeating: nil, count: keys.count) }
        defer { ruleMatches[rs] = known }
        var out: [(MetricRollup, Double)] = []
        for (i, k) in keys.enumerated() {
            guard let list = series[k], let last = list.last else { continue }
            if let m = known[i], m.service == last.service {
                guard m.matches else { continue }
            } else {
                let m = Self.matches(rule, last)
                known[i] = (last.service, m)
                guard m else { continue }
            }
            let w = list.lazy.filter { $0.timeMicros > t - rule.windowMicros && $0.timeMicros <= t }
            guard !w.isEmpty, let v = Self.aggregate(w, agg, windowMicros: rule.windowMicros) else { continue }
            out.append((last, v))
        }
        return out
    }

    /// The window's value (`w` in time order as received; lazily filtered by `values`).
    static func aggregate<W: BidirectionalCollection<MetricRollup>>(
        _ w: W, _ agg: MetricAggregation, windowMicros: Int64
    ) -> Double? {
        func countSum() -> Double { w.lazy.compactMap(\.count).reduce(0, +) }
        switch agg {
        case .count: return countSum()
        case .sum: return w.reduce(0) { $0 + ($1.sum ?? $1.count ?? 0) }
        case .rate: return countSum() * 1_000_000 / Double(windowMicros)
        case .last: return w.last.flatMap { $0.last ?? $0.mean ?? $0.count }
        case .mean:
            let sums = w.compactMap(\.sum)
            if !sums.isEmpty {
                let n = countSum()
                return n > 0 ? sums.reduce(0, +) / n : nil
            }
            let g = w.compactMap(\.last)
            return g.isEmpty ? nil : g.reduce(0, +) / Double(g.count)
        case .max: return w.lazy.compactMap { $0.max ?? $0.last }.max()
        case .min: return w.lazy.compactMap { $0.min ?? $0.last }.min()
        case .p50: return w.lazy.compactMap(\.p50).max()
        case .p90: return w.lazy.compactMap(\.p90).max()
        case .p95: return w.lazy.compactMap(\.p95).max()
        case .p99: return w.lazy.compactMap(\.p99).max()
        case .unique: return w.lazy.compactMap(\.unique).max().map(Double.init)
        }
    }
}
