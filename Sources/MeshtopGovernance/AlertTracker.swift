import MeshtopModel

/// The lifecycle of alert instances, exactly as Prometheus `rules/alerting.go` (`AlertingRule.Eval`):
/// a new series whose condition holds becomes pending with activeAt = now; pending fires when
/// now − activeAt ≥ `for` (so `for: 0` fires in the same evaluation); a pending alert whose condition stops
/// holding is dropped without a resolve; a firing one is resolved (resolvedAt = now) unless `keep_firing_for`
/// holds it firing while now − keepFiringSince < keep_firing_for; resolved alerts stay in the active view for
/// 15 minutes (`resolvedRetention`) and then disappear; a resolved alert whose condition holds again starts a new
/// pending instance.
struct AlertTracker {
    /// One alert instance: a state machine whose states carry their data.
    struct Instance: Sendable, Hashable {
        enum State: Sendable, Hashable {
            case pending
            case firing(firedAt: Int64, keepFiringSince: Int64?)
            case resolved(firedAt: Int64, resolvedAt: Int64)
        }

        var rule: String
        var severity: String
        var labels: [Attribute]
        var state: State
        var activeAt: Int64
        var value: Double
        var summary: String

        var modelState: AlertState {
            switch state {
            case .pending: return .pending
            case .firing: return .firing
            case .resolved: return .resolved
            }
        }

        var status: AlertStatus {
            var fired: Int64?
            var resolved: Int64?
            switch state {
            case .pending: break
            case .firing(let f, _): fired = f
            case .resolved(let f, let r):
                fired = f
                resolved = r
            }
            return AlertStatus(
                rule: rule, severity: severity, labels: labels, state: modelState, value: value,
                sinceMicros: activeAt, firedAtMicros: fired, resolvedAtMicros: resolved, summary: summary)
        }
    }

    /// One series of a rule's result at an evaluation.
    struct Sample {
        var labels: [Attribute]
        var value: Double
        var summary: String
    }

    let resolvedRetentionMicros: Int64
    private(set) var instances: [String: Instance] = [:]
    /// Each rule's instance fingerprints in ascending order, kept with `instances` (so an evaluation walks its
    /// rule's instances in order without sorting every fingerprint of every rule).
    private var fingerprints: [String: [String]] = [:]

    init(resolvedRetentionMicros: Int64 = 15 * 60_000_000) {
        self.resolvedRetentionMicros = resolvedRetentionMicros
    }

    /// Applies one evaluation of `rule` at `t`; `active` holds the series whose condition holds.
    mutating func apply(rule: AlertRule, active: [Sample], at t: Int64, transitions out: inout [AlertTransition]) {
        var seen = Set<String>()
        for s in active {
            let fp = Self.fingerprint(rule.name, s.labels)
            seen.insert(fp)
            if var inst = instances[fp], inst.modelState != .resolved {
                inst.value = s.value
                inst.summary = s.summary
                if case .firing(let f, _) = inst.state { inst.state = .firing(firedAt: f, keepFiringSince: nil) }
                instances[fp] = inst
            } else {
                let inst = Instance(
                    rule: rule.name, severity: rule.severity, labels: s.labels, state: .pending, activeAt: t,
                    value: s.value, summary: s.summary)
                set(fp, inst)
                out.append(transition(inst, from: .inactive, to: .pending, at: t))
            }
        }
        for fp in fingerprints[rule.name] ?? [] {
            guard var inst = instances[fp], inst.rule == rule.name else { continue }
            if !seen.contains(fp) {
                switch inst.state {
                case .pending:
                    remove(fp, rule: rule.name)
                    continue
                case .resolved(_, let r):
                    if t - r > resolvedRetentionMicros { remove(fp, rule: rule.name) }
                    continue
                case .firing(let f, let since):
                    if rule.keepFiringForMicros > 0 {
                        let start = since ?? t
                        if t - start < rule.keepFiringForMicros {
                            inst.state = .firing(firedAt: f, keepFiringSince: start)
                            instances[fp] = inst
                            continue
                        }
                    }
                    inst.state = .resolved(firedAt: f, resolvedAt: t)
                    instances[fp] = inst
                    out.append(transition(inst, from: .firing, to: .resolved, at: t))
                    continue
                }
            }
            if case .pending = inst.state, t - inst.activeAt >= rule.forMicros {
                inst.state = .firing(firedAt: t, keepFiringSince: nil)
                instances[fp] = inst
                out.append(transition(inst, from: .pending, to: .firing, at: t))
            }
        }
    }

    /// Replaces every instance with the stored ones of rules in `rules` (a new governance leader taking over the
    /// alerts the old leader stored, `GovernanceEngine.seed`), reporting no transition: a pending alert keeps its
    /// activeAt (it fires at activeAt + `for`), a firing one stays firing from its firedAt, a resolved one stays
    /// in the view. An instance not stored is dropped: the shared state says it is inactive. Whether a firing
    /// alert was being held by `keep_firing_for` is not stored: a hold starts afresh.
    mutating func seed(_ stored: [AlertStatus], rules: Set<String>) {
        instances.removeAll()
        fingerprints.removeAll()
        for a in stored where rules.contains(a.rule) {
            let state: Instance.State
            switch a.state {
            case .pending: state = .pending
            case .firing: state = .firing(firedAt: a.firedAtMicros ?? a.sinceMicros, keepFiringSince: nil)
            case .resolved:
                let fired = a.firedAtMicros ?? a.sinceMicros
                state = .resolved(firedAt: fired, resolvedAt: a.resolvedAtMicros ?? fired)
            case .inactive: continue
            }
            set(
                Self.fingerprint(a.rule, a.labels),
                Instance(
                    rule: a.rule, severity: a.severity, labels: a.labels, state: state, activeAt: a.sinceMicros,
                    value: a.value, summary: a.summary))
        }
    }

    /// Drops the instances of rules that no longer exist (after a reload).
    mutating func retain(rules: Set<String>) {
        instances = instances.filter { rules.contains($0.value.rule) }
        fingerprints = fingerprints.filter { rules.contains($0.key) }
    }

    /// Stores an instance, adding a new fingerprint to its rule's ordered list.
    private mutating func set(_ fp: String, _ inst: Instance) {
        if instances.updateValue(inst, forKey: fp) == nil {
            fingerprints[inst.rule, default: []].insertSorted(fp)
        }
    }

    private mutating func remove(_ fp: String, rule: String) {
        guard instances.removeValue(forKey: fp) != nil else { return }
        fingerprints[rule]?.removeSorted(fp)
        if fingerprints[rule]?.isEmpty == true { fingerprints[rule] = nil }
    }

    /// The active view: pending, firing and recently resolved instances, in a stable order.
    var statuses: [AlertStatus] {
        instances.sorted { $0.key < $1.key }.map { $0.value.status }
    }

    private func transition(_ i: Instance, from: AlertState, to: AlertState, at t: Int64) -> AlertTransition {
        AlertTransition(
            rule: i.rule, severity: i.severity, labels: i.labels, from: from, to: to, atMicros: t, value: i.value,
            summary: i.summary)
    }

    static func fingerprint(_ rule: String, _ labels: [Attribute]) -> String {
        var s = rule + "{"
        for l in labels { s += l.key + "=\"" + l.value.text + "\"," }
        return s + "}"
    }
}

extension Array where Element: Comparable {
    /// The first index whose element is not below `x` (binary search of an ascending array).
    func lowerBound(_ x: Element) -> Int {
        var lo = 0
        var hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if self[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Inserts `x` into an ascending array, keeping it ascending.
    mutating func insertSorted(_ x: Element) { insert(x, at: lowerBound(x)) }

    /// Removes one `x` from an ascending array, if present.
    mutating func removeSorted(_ x: Element) {
        let i = lowerBound(x)
        if i < count, self[i] == x { remove(at: i) }
    }
}
