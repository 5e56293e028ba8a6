import MeshtopModel

/// The flow rules' controllers, one per rule and resource, and their per-minute decisions.
struct LimitBook {
    struct Resource: Hashable {
        var rule: Int
        var service: String
        var caller: String
        var callee: String
    }

    struct MinuteKey: Hashable {
        var minute: Int64
        var resource: Resource
    }

    struct Counts: Hashable {
        var passed: Int64 = 0
        var blocked: Int64 = 0
        var queued: Int64 = 0
    }

    /// A call due for the limits (fed with the breakers, then merged across edges in end-time order).
    struct Call {
        var edge: EdgeKey
        var end: Int64
        var duration: Int64
    }

    private(set) var rules: [FlowRule] = []
    private var controllers: [Resource: FlowController] = [:]
    private var matching: [EdgeKey: [Int]] = [:]
    private(set) var minutes: [MinuteKey: Counts] = [:]
    private var changed: Set<MinuteKey> = []

    var isEmpty: Bool { rules.isEmpty }

    /// New rules: controllers of rules that kept their definition keep their state.
    mutating func reload(_ new: [FlowRule]) {
        guard new != rules else { return }
        var kept: [Resource: FlowController] = [:]
        for (r, c) in controllers {
            if let i = new.firstIndex(of: rules[r.rule]) {
                kept[Resource(rule: i, service: r.service, caller: r.caller, callee: r.callee)] = c
            }
        }
        rules = new
        controllers = kept
        matching.removeAll()
        minutes.removeAll()
        changed.removeAll()
    }

    /// Feeds calls (any order; sorted here by end time, then edge) to every rule they match.
    mutating func feed(_ calls: inout [Call]) {
        guard !rules.isEmpty, !calls.isEmpty else { return }
        calls.sort { ($0.end, $0.edge, $0.duration) < ($1.end, $1.edge, $1.duration) }
        for c in calls {
            let idx: [Int]
            if let m = matching[c.edge] {
                idx = m
            } else {
                idx = rules.indices.filter { rules[$0].matches(caller: c.edge.caller, callee: c.edge.callee) }
                matching[c.edge] = idx
            }
            for i in idx {
                let rule = rules[i]
                let res =
                    rule.isEdge
                    ? Resource(rule: i, service: "", caller: c.edge.caller, callee: c.edge.callee)
                    : Resource(rule: i, service: c.edge.callee, caller: "", callee: "")
                let endMs = Self.floorMs(c.end)
                let decision = controllers[res, default: FlowController(rule)].decide(
                    endMs: endMs, durationMs: endMs - Self.floorMs(c.end - c.duration))
                let key = MinuteKey(minute: RollupBook.minute(of: c.end), resource: res)
                switch decision {
                case .passed: minutes[key, default: Counts()].passed += 1
                case .queued:
                    minutes[key, default: Counts()].passed += 1
                    minutes[key, default: Counts()].queued += 1
                case .blocked: minutes[key, default: Counts()].blocked += 1
                }
                changed.insert(key)
            }
        }
    }

    static func floorMs(_ micros: Int64) -> Int64 { micros >= 0 ? micros / 1000 : (micros - 999) / 1000 }

    /// The minutes whose counts changed since the last drain (upsert).
    mutating func drainChanged() -> [LimitStat] {
        guard !changed.isEmpty else { return [] }
        let out = changed.map { k -> LimitStat in
            let c = minutes[k] ?? Counts()
            return LimitStat(
                minuteMicros: k.minute, rule: rules[k.resource.rule].name, service: k.resource.service,
                caller: k.resource.caller, callee: k.resource.callee, passed: c.passed, blocked: c.blocked,
                queued: c.queued)
        }
        changed.removeAll(keepingCapacity: true)
        return out.sorted {
            ($0.minuteMicros, $0.rule, $0.service, $0.caller, $0.callee)
                < ($1.minuteMicros, $1.rule, $1.service, $1.caller, $1.callee)
        }
    }

    /// Blocked percent of decided calls per resource over the minutes `from…to`, for the `blocked_rate` signal.
    func blockedRates(fromMinute from: Int64, toMinute to: Int64) -> [Resource: Double] {
        var sums: [Resource: Counts] = [:]
        for (k, c) in minutes where k.minute >= from && k.minute <= to {
            sums[k.resource, default: Counts()].passed += c.passed
            sums[k.resource, default: Counts()].blocked += c.blocked
        }
        return sums.compactMapValues { c in
            let n = c.passed + c.blocked
            return n > 0 ? Double(c.blocked) * 100 / Double(n) : nil
        }
    }

    /// Forgets minutes before `minute` and controllers idle since.
    mutating func expire(beforeMinute minute: Int64) {
        if minutes.keys.contains(where: { $0.minute < minute }) {
            minutes = minutes.filter { $0.key.minute >= minute }
        }
    }
}

extension GovernanceEngine {
    /// `blocked_rate` per flow rule and resource; the scope's `service` matches the rule name or the resource's
    /// service, `caller`/`callee` the edge.
    func blockedRateValues(
        _ rule: AlertRule, fromMinute from: Int64, toMinute to: Int64, keep: (Double) -> Bool
    ) -> [([Attribute], Double)] {
        let rates = limits.blockedRates(fromMinute: from, toMinute: to)
        var out: [([Attribute], Double)] = []
        for (r, v) in rates where keep(v) {
            let name = limits.rules[r.rule].name
            if !r.service.isEmpty {
                guard rule.scope.caller == nil, rule.scope.callee == nil, Glob.matches(rule.scope.service, r.service)
                else { continue }
                out.append(([Attribute("limit", .string(name)), Attribute("service", .string(r.service))], v))
            } else {
                guard edgeMatches(rule.scope, EdgeKey(caller: r.caller, callee: r.callee)) else { continue }
                out.append(
                    ([
                        Attribute("callee", .string(r.callee)), Attribute("caller", .string(r.caller)),
                        Attribute("limit", .string(name)),
                    ], v))
            }
        }
        return out.sorted { "\($0.0)" < "\($1.0)" }
    }
}
