import MeshtopModel

extension GovernanceEngine {
    /// Evaluates every rule at each evaluation time (multiples of the interval) the alert clock has passed.
    /// Catching up is capped at one hour of evaluations; beyond that the clock jumps (either way).
    func evaluateAlerts(nowMicros: Int64, into out: inout GovernanceOutput) {
        let clock = alertClock(nowMicros: nowMicros)
        let step = config.evaluationIntervalMicros
        let aligned = clock >= 0 ? clock / step * step : (clock - step + 1) / step * step
        var next = nextEvaluation ?? aligned
        // More than an hour behind: jump. More than an hour ahead (the clock moved back, e.g. from the wall clock
        // to the event time of a replay): restart from the clock.
        if clock - next > 3_600_000_000 || next - clock > 3_600_000_000 { next = aligned }
        var transitions: [AlertTransition] = []
        var evaluated = false
        while next <= clock {
            for rule in rules.rules {
                alerts.apply(rule: rule, active: firingSamples(rule, at: next), at: next, transitions: &transitions)
            }
            evaluated = true
            next += step
        }
        nextEvaluation = next
        if evaluated {
            out.alerts = alerts.statuses
            out.alertTransitions = transitions
        }
    }

    /// The series of `rule` whose condition holds at `t`.
    func firingSamples(_ rule: AlertRule, at t: Int64) -> [AlertTracker.Sample] {
        var out: [AlertTracker.Sample] = []
        for (labels, value) in signalValues(rule, at: t, keep: { rule.op.holds($0, rule.threshold) }) {
            out.append(AlertTracker.Sample(labels: labels, value: value, summary: Self.render(rule, labels, value)))
        }
        return out
    }

    /// The series of the rule's signal whose value over the window ending at `t` passes `keep` (labels are only
    /// built for those).
    ///
    /// Service and edge signals merge the per-minute accumulators of the minutes from minute(t − window) to
    /// minute(t), so the window is between `window` and `window` + 1 minute long; rates divide by its actual
    /// length (t − first minute's start).
    func signalValues(_ rule: AlertRule, at t: Int64, keep: (Double) -> Bool = { _ in true }) -> [([Attribute], Double)]
    {
        let from = Minute.floor(t - rule.windowMicros)
        let to = Minute.floor(t)
        let seconds = max(1, Double(t - from) / 1_000_000)
        var out: [([Attribute], Double)] = []
        let histograms = rule.signal == .p99Ms
        switch rule.signal {
        case .errorRate, .p99Ms, .rps, .apdex:
            if rule.scope.isEdge {
                for k in sortedEdgeKeys() where edgeMatches(rule.scope, k) {
                    let w = book.window(edge: k, fromMinute: from, toMinute: to, histograms: histograms)
                    if let v = Self.value(rule.signal, w, seconds: seconds), keep(v) {
                        out.append(
                            ([Attribute("callee", .string(k.callee)), Attribute("caller", .string(k.caller))], v))
                    }
                }
            } else {
                for s in knownServices.keys.sorted() where Glob.matches(rule.scope.service, s) {
                    let w = book.window(service: s, fromMinute: from, toMinute: to, histograms: histograms)
                    if let v = Self.value(rule.signal, w, seconds: seconds), keep(v) {
                        out.append(([Attribute("service", .string(s))], v))
                    }
                }
            }
        case .breakerOpen:
            var all = sortedEdgeKeys().compactMap { k in
                edges[k].map { (k, BreakerSource.simulated, $0.breaker.currentState) }
            }
            all += reported.statuses.keys.sorted().compactMap { k in
                reported.statuses[k].map { (k, .reported, $0.state) }
            }
            for (k, source, state) in all where edgeMatches(rule.scope, k) {
                let v: Double = state == .open ? 1 : 0
                guard keep(v) else { continue }
                let labels = [
                    Attribute("callee", .string(k.callee)), Attribute("caller", .string(k.caller)),
                    Attribute("source", .string(source.rawValue)),
                ]
                out.append((labels, v))
            }
        case .blockedRate:
            out += blockedRateValues(rule, fromMinute: from, toMinute: to, keep: keep)
        case .metric(_, let agg):
            for (r, v) in metricHistory.values(rule, agg: agg, at: t) where keep(v) {
                var labels = [Attribute("name", .string(r.name)), Attribute("service", .string(r.service))]
                for tag in r.tags where !tag.hasPrefix("service:") {
                    let parts = tag.split(separator: ":", maxSplits: 1)
                    labels.append(Attribute(String(parts[0]), .string(parts.count > 1 ? String(parts[1]) : "")))
                }
                out.append((labels.sorted { $0.key < $1.key }, v))
            }
        case .logRate(let minSeverity):
            var counts: [String: Int64] = [:]
            for (k, c) in logCounts where Glob.matches(rule.scope.service, k.service) {
                var n: Int64 = 0
                if k.minute >= from && k.minute <= to {
                    for sev in 0...minSeverity.rawValue { n += c[sev] }
                }
                counts[k.service, default: 0] += n
            }
            for s in counts.keys.sorted() where keep(Double(counts[s]!) / seconds) {
                out.append(([Attribute("service", .string(s))], Double(counts[s]!) / seconds))
            }
        }
        return out
    }

    func edgeMatches(_ scope: AlertScope, _ k: EdgeKey) -> Bool {
        Glob.matches(scope.caller, k.caller) && Glob.matches(scope.callee, k.callee)
            && (scope.service == nil || Glob.matches(scope.service, k.callee) || Glob.matches(scope.service, k.caller))
    }

    static func value(_ signal: AlertSignal, _ w: WindowTotals, seconds: Double) -> Double? {
        switch signal {
        case .rps: return Double(w.requests) / seconds
        case .errorRate: return w.requests > 0 ? Double(w.errors) * 100 / Double(w.requests) : nil
        case .p99Ms:
            guard w.requests > 0 else { return nil }
            return w.percentile(99).map { Double($0) / 1000 }
        case .apdex: return Apdex.score(satisfied: w.satisfied, tolerating: w.tolerating, total: w.requests)
        default: return nil
        }
    }

    /// Fills `{{service}}`, `{{caller}}`, `{{callee}}`, `{{value}}`, `{{threshold}}`, `{{rule}}`, `{{severity}}`
    /// and `{{labels.KEY}}`; unknown placeholders become empty.
    static func render(_ rule: AlertRule, _ labels: [Attribute], _ value: Double) -> String {
        guard rule.summary.utf8.contains(UInt8(ascii: "{")) else { return rule.summary }
        var out = ""
        var rest = Substring(rule.summary)
        while let open = rest.firstRange(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else {
                out += rest[open.lowerBound...]
                return out
            }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters()
            let key = name.hasPrefix("labels.") ? String(name.dropFirst(7)) : name
            switch key {
            case "value": out += format(value)
            case "threshold": out += format(rule.threshold)
            case "rule": out += rule.name
            case "severity": out += rule.severity
            default: out += labels.first { $0.key == key }?.value.text ?? ""
            }
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    /// Up to three decimals, trailing zeros dropped.
    static func format(_ v: Double) -> String {
        guard v.isFinite else { return "\(v)" }
        let r = (v * 1000).rounded() / 1000
        if r == r.rounded(), abs(r) < 1e15 { return String(Int64(r)) }
        var s = String(r)
        while s.utf8.contains(UInt8(ascii: ".")), s.hasSuffix("0") { s.removeLast() }
        return s
    }
}

extension Substring {
    func trimmingCharacters() -> String { String(self).trimmingWhitespace() }
}
