import MeshtopModel

/// Recent StatsD flushes of the series some `metric:` rule looks at (only those are kept), for alert windows.
struct MetricHistory {
    private(set) var series: [String: [MetricRollup]] = [:]
    private var matches: [String: Bool] = [:]
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

    mutating func add(
        _ rollups: [(key: String, rollup: MetricRollup)], rules: [AlertRule], keepMicros: Int64, now: Int64
    ) {
        let metricRules = rules.filter { if case .metric = $0.signal { return true } else { return false } }
        guard !metricRules.isEmpty else { return }
        for (k, r) in rollups {
            let wanted: Bool
            if let m = matches[k] {
                wanted = m
            } else {
                wanted = metricRules.contains { Self.matches($0, r) }
                matches[k] = wanted
            }
            guard wanted else { continue }
            if series[k]?.append(r) == nil {
                series[k] = [r]
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
            let w = list.filter { $0.timeMicros > t - rule.windowMicros && $0.timeMicros <= t }
            guard !w.isEmpty, let v = Self.aggregate(w, agg, windowMicros: rule.windowMicros) else { continue }
            out.append((last, v))
        }
        return out
    }

    static func aggregate(_ w: [MetricRollup], _ agg: MetricAggregation, windowMicros: Int64) -> Double? {
        var counts: [Double] { w.compactMap(\.count) }
        switch agg {
        case .count: return counts.reduce(0, +)
        case .sum: return w.reduce(0) { $0 + ($1.sum ?? $1.count ?? 0) }
        case .rate: return counts.reduce(0, +) * 1_000_000 / Double(windowMicros)
        case .last: return w.last.flatMap { $0.last ?? $0.mean ?? $0.count }
        case .mean:
            let sums = w.compactMap(\.sum)
            if !sums.isEmpty {
                let n = counts.reduce(0, +)
                return n > 0 ? sums.reduce(0, +) / n : nil
            }
            let g = w.compactMap(\.last)
            return g.isEmpty ? nil : g.reduce(0, +) / Double(g.count)
        case .max: return w.compactMap { $0.max ?? $0.last }.max()
        case .min: return w.compactMap { $0.min ?? $0.last }.min()
        case .p50: return w.compactMap(\.p50).max()
        case .p90: return w.compactMap(\.p90).max()
        case .p95: return w.compactMap(\.p95).max()
        case .p99: return w.compactMap(\.p99).max()
        case .unique: return w.compactMap(\.unique).max().map(Double.init)
        }
    }
}
