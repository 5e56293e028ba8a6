import MeshtopModel

/// The flow rules' controllers, one per rule and resource, and their per-minute decisions. Controllers live in
/// an array of slots; each edge caches the slots its calls feed, so a call costs no string hashing.
struct LimitBook {
    struct Resource: Hashable {
        var rule: Int
        var service: String
        var caller: String
        var callee: String
    }

    struct MinuteKey: Hashable {
        var minute: Int64
        var slot: Int
    }

    struct Counts: Hashable {
        var passed: Int64 = 0
        var blocked: Int64 = 0
        var queued: Int64 = 0
    }

    /// A call due for the limits (fed with the breakers, then merged across edges in end-time order). Plain
    /// integers, so the per-tick sort moves no strings.
    struct Call {
        var end: Int64
        /// The edge's position among the engine's sorted edges: calls ending at the same microsecond go by edge.
        var order: Int32
        /// The edge's slot list (`slotList(for:)`).
        var list: Int32
        var duration: Int64
    }

    private(set) var rules: [FlowRule] = []
    private var controllers: [FlowController] = []
    private(set) var resources: [Resource] = []
    private var slotOf: [Resource: Int] = [:]
    private var edgeSlots: [EdgeKey: Int32] = [:]
    /// The slots each edge's calls feed, by `Call.list`.
    private var slotLists: [[Int]] = []
    /// Each slot's counts for the minute of its latest call, written to `minutes` once per feed.
    private var current: [(minute: Int64, counts: Counts, touched: Bool)] = []
    private var touched: [Int] = []
    private(set) var minutes: [MinuteKey: Counts] = [:]
    private var changed: Set<MinuteKey> = []
    /// Each slot's position in (rule name, service, caller, callee) order; rebuilt when slots are added.
    private var rank: [Int] = []

    var isEmpty: Bool { rules.isEmpty }

    /// New rules: controllers of rules that kept their definition keep their state.
    mutating func reload(_ new: [FlowRule]) {
        guard new != rules else { return }
        let old = (rules, controllers, resources)
        rules = new
        controllers = []
        resources = []
        slotOf = [:]
        edgeSlots = [:]
        slotLists = []
        current = []
        minutes = [:]
        changed = []
        rank = []
        for (i, r) in old.2.enumerated() {
            guard let rule = new.firstIndex(of: old.0[r.rule]) else { continue }
            let moved = Resource(rule: rule, service: r.service, caller: r.caller, callee: r.callee)
            slotOf[moved] = resources.count
            resources.append(moved)
            controllers.append(old.1[i])
            current.append((Int64.min, Counts(), false))
        }
    }

    /// The index of the slots `edge`'s calls feed (created on first use); its list is empty when no rule matches.
    mutating func slotList(for edge: EdgeKey) -> Int32 {
        if let s = edgeSlots[edge] { return s }
        var out: [Int] = []
        for (i, rule) in rules.enumerated() where rule.matches(caller: edge.caller, callee: edge.callee) {
            let res =
                rule.isEdge
                ? Resource(rule: i, service: "", caller: edge.caller, callee: edge.callee)
                : Resource(rule: i, service: edge.callee, caller: "", callee: "")
            if let slot = slotOf[res] {
                out.append(slot)
            } else {
                slotOf[res] = resources.count
                out.append(resources.count)
                resources.append(res)
                controllers.append(FlowController(rule))
                current.append((Int64.min, Counts(), false))
            }
        }
        let list = Int32(slotLists.count)
        slotLists.append(out)
        edgeSlots[edge] = list
        return list
    }

    /// True when `list` feeds no controller.
    func isEmpty(list: Int32) -> Bool { slotLists[Int(list)].isEmpty }

    /// Feeds calls (any order; sorted here by end time, then edge) to every rule they match.
    mutating func feed(_ calls: inout [Call]) {
        guard !rules.isEmpty, !calls.isEmpty else { return }
        Self.sortDue(&calls)
        var lastList: Int32 = -1
        var slots: [Int] = []
        for c in calls {
            if c.list != lastList {
                slots = slotLists[Int(c.list)]
                lastList = c.list
            }
            guard !slots.isEmpty else { continue }
            let endMs = Self.floorMs(c.end)
            let durationMs = endMs - Self.floorMs(c.end - c.duration)
            let minute = Minute.floor(c.end)
            for slot in slots {
                let decision = controllers[slot].decide(endMs: endMs, durationMs: durationMs)
                if current[slot].minute != minute {
                    if current[slot].minute != Int64.min { store(slot) }
                    current[slot].minute = minute
                    current[slot].counts = minutes[MinuteKey(minute: minute, slot: slot)] ?? Counts()
                }
                if !current[slot].touched {
                    current[slot].touched = true
                    touched.append(slot)
                }
                switch decision {
                case .passed: current[slot].counts.passed += 1
                case .queued:
                    current[slot].counts.passed += 1
                    current[slot].counts.queued += 1
                case .blocked: current[slot].counts.blocked += 1
                }
            }
        }
        for slot in touched {
            store(slot)
            current[slot].touched = false
        }
        touched.removeAll(keepingCapacity: true)
    }

    /// Sorts due calls by (end, edge position, duration). Calls spread over at most a few milliseconds of end time
    /// each (a tick's worth of traffic) are first placed by their end millisecond (a counting sort), then each
    /// millisecond's few calls are sorted; otherwise one comparison sort. Calls equal in all three are equal.
    static func sortDue(_ calls: inout [Call]) {
        func less(_ a: Call, _ b: Call) -> Bool { (a.end, a.order, a.duration) < (b.end, b.order, b.duration) }
        var lo = Int64.max
        var hi = Int64.min
        for c in calls {
            lo = min(lo, c.end)
            hi = max(hi, c.end)
        }
        let (range, overflow) = hi.subtractingReportingOverflow(lo)
        guard calls.count > 64, !overflow, range / 1000 < Int64(calls.count) * 4 else {
            calls.sort(by: less)
            return
        }
        let buckets = Int(range / 1000) + 1
        var starts = [Int](repeating: 0, count: buckets + 1)
        for c in calls { starts[Int((c.end - lo) / 1000) + 1] += 1 }
        for b in 0..<buckets { starts[b + 1] += starts[b] }
        var next = starts
        var sorted = [Call](unsafeUninitializedCapacity: calls.count) { buffer, written in
            for c in calls {
                let b = Int((c.end - lo) / 1000)
                buffer.initializeElement(at: next[b], to: c)
                next[b] += 1
            }
            written = calls.count
        }
        for b in 0..<buckets where starts[b + 1] - starts[b] > 1 {
            guard starts[b + 1] - starts[b] <= 16 else {
                sorted[starts[b]..<starts[b + 1]].sort(by: less)
                continue
            }
            // A few calls: insertion sort.
            for i in (starts[b] + 1)..<starts[b + 1] {
                let x = sorted[i]
                var j = i
                while j > starts[b], less(x, sorted[j - 1]) {
                    sorted[j] = sorted[j - 1]
                    j -= 1
                }
                sorted[j] = x
            }
        }
        calls = sorted
    }

    /// Writes a slot's current minute into `minutes` and marks it changed; the slot keeps counting that minute.
    private mutating func store(_ slot: Int) {
        let key = MinuteKey(minute: current[slot].minute, slot: slot)
        minutes[key] = current[slot].counts
        changed.insert(key)
    }

    static func floorMs(_ micros: Int64) -> Int64 { micros >= 0 ? micros / 1000 : (micros - 999) / 1000 }

    /// The minutes whose counts changed since the last drain (upsert).
    mutating func drainChanged() -> [LimitStat] {
        guard !changed.isEmpty else { return [] }
        // Sorted by (minute, rule name, service, caller, callee) through each slot's rank in that order, so the
        // sort compares integers, not strings.
        if rank.count != resources.count {
            let order = resources.indices.sorted { a, b in
                let (x, y) = (resources[a], resources[b])
                return (rules[x.rule].name, x.service, x.caller, x.callee)
                    < (rules[y.rule].name, y.service, y.caller, y.callee)
            }
            rank = [Int](repeating: 0, count: resources.count)
            for (position, slot) in order.enumerated() { rank[slot] = position }
        }
        let keys = changed.sorted { ($0.minute, rank[$0.slot]) < ($1.minute, rank[$1.slot]) }
        changed.removeAll(keepingCapacity: true)
        return keys.map { k -> LimitStat in
            let c = minutes[k] ?? Counts()
            let r = resources[k.slot]
            return LimitStat(
                minuteMicros: k.minute, rule: rules[r.rule].name, service: r.service, caller: r.caller,
                callee: r.callee, passed: c.passed, blocked: c.blocked, queued: c.queued)
        }
    }

    /// Blocked percent of decided calls per resource over the minutes `from…to`, for the `blocked_rate` signal.
    func blockedRates(fromMinute from: Int64, toMinute to: Int64) -> [(resource: Resource, rate: Double)] {
        var sums = [Counts](repeating: Counts(), count: resources.count)
        for (k, c) in minutes where k.minute >= from && k.minute <= to {
            sums[k.slot].passed += c.passed
            sums[k.slot].blocked += c.blocked
        }
        var out: [(resource: Resource, rate: Double)] = []
        for (slot, c) in sums.enumerated() where c.passed + c.blocked > 0 {
            out.append((resources[slot], Double(c.blocked) * 100 / Double(c.passed + c.blocked)))
        }
        return out
    }

    /// Forgets minutes before `minute`.
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
                    (
                        [
                            Attribute("callee", .string(r.callee)), Attribute("caller", .string(r.caller)),
                            Attribute("limit", .string(name)),
                        ], v
                    ))
            }
        }
        return out.sorted { "\($0.0)" < "\($1.0)" }
    }
}
