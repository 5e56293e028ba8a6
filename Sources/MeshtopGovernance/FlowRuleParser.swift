import MeshtopModel
import Yams

/// Parses one entry of the rules file's `limits:` list (Sentinel flow rules).
enum FlowRuleParser {
    static let fields = [
        "name", "match", "caller", "callee", "qps", "concurrency", "behavior", "warm_up_period", "cold_factor",
        "max_queueing_time",
    ]

    static func rule(_ n: Node, index: Int) throws(RulesError) -> FlowRule {
        typealias P = RulesParser
        let f = try P.fields(n, allowed: fields, context: "a limits entry")
        let at = P.line(n)
        let service = try P.string(f["match"], "match")
        let caller = try P.string(f["caller"], "caller")
        let callee = try P.string(f["callee"], "callee")
        if service != nil, caller != nil || callee != nil {
            throw .invalidValue(
                line: at, field: "match", value: service ?? "", expected: "either match (a service) or caller/callee")
        }
        if service == nil, caller == nil, callee == nil {
            throw .missingField(line: at, field: "match", context: "this limits entry (or caller/callee)")
        }
        let qps = try P.number(f["qps"], "qps", in: 0...1_000_000_000)
        let concurrency = try P.number(f["concurrency"], "concurrency", in: 0...1_000_000_000)
        guard (qps == nil) != (concurrency == nil) else {
            throw .missingField(line: at, field: "qps", context: "this limits entry (qps or concurrency, not both)")
        }
        let behaviorText = try P.string(f["behavior"], "behavior") ?? "reject"
        guard let behavior = FlowRule.Behavior(rawValue: behaviorText) else {
            throw .invalidValue(
                line: P.line(f["behavior"]!), field: "behavior", value: behaviorText,
                expected: "reject, warm_up or throttle")
        }
        if concurrency != nil, behavior != .reject {
            throw .invalidValue(
                line: P.line(f["behavior"]!), field: "behavior", value: behaviorText,
                expected: "reject with concurrency (Sentinel shapes QPS only)")
        }
        let cold = try P.number(f["cold_factor"], "cold_factor", in: 2...1000) ?? 3
        let target = service ?? "\(caller ?? "*")->\(callee ?? "*")"
        return FlowRule(
            name: try P.string(f["name"], "name") ?? "limit-\(index + 1) \(target)", service: service,
            caller: service == nil ? (caller ?? "*") : nil, callee: service == nil ? (callee ?? "*") : nil,
            grade: qps != nil ? .qps : .concurrency, threshold: qps ?? concurrency ?? 0, behavior: behavior,
            warmUpPeriodMicros: try P.duration(f["warm_up_period"], "warm_up_period") ?? 10_000_000,
            coldFactor: Int(cold),
            maxQueueingMicros: try P.duration(f["max_queueing_time"], "max_queueing_time") ?? 500_000, line: at)
    }
}
