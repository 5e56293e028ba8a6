import MeshtopModel
import Yams

/// Parses one entry of the rules file's `rules:` list.
enum AlertRuleParser {
    static let ruleFields = [
        "name", "signal", "aggregation", "min_severity", "scope", "op", "threshold", "for", "keep_firing_for",
        "window", "severity", "summary",
    ]

    static func rule(_ n: Node, defaultWindow: Int64) throws(RulesError) -> AlertRule {
        typealias P = RulesParser
        let f = try P.fields(n, allowed: ruleFields, context: "a rule")
        let at = P.line(n)
        guard let name = try P.string(f["name"], "name"), !name.isEmpty else {
            throw .missingField(line: at, field: "name", context: "this rule")
        }
        guard let signalText = try P.string(f["signal"], "signal") else {
            throw .missingField(line: at, field: "signal", context: "rule '\(name)'")
        }
        let signal = try self.signal(signalText, node: f["signal"]!, f)
        guard let opText = try P.string(f["op"], "op") else {
            throw .missingField(line: at, field: "op", context: "rule '\(name)'")
        }
        guard let op = CompareOp(rawValue: opText) else {
            throw .invalidValue(line: P.line(f["op"]!), field: "op", value: opText, expected: "one of > >= < <= == !=")
        }
        guard let threshold = try P.number(f["threshold"], "threshold") else {
            throw .missingField(line: at, field: "threshold", context: "rule '\(name)'")
        }
        var scope = AlertScope()
        if let s = f["scope"] {
            let sf = try P.fields(s, allowed: ["service", "caller", "callee", "tags"], context: "scope")
            scope.service = try P.string(sf["service"], "service")
            scope.caller = try P.string(sf["caller"], "caller")
            scope.callee = try P.string(sf["callee"], "callee")
            if let t = sf["tags"] {
                guard let m = t.mapping else {
                    throw .invalidValue(
                        line: P.line(t), field: "tags", value: t.string ?? "a list",
                        expected: "a mapping of tag: glob")
                }
                for (k, v) in m { scope.tags[k.string ?? ""] = try P.string(v, "tags") ?? "*" }
            }
        }
        let window = try P.duration(f["window"], "window") ?? defaultWindow
        guard window > 0 else {
            throw .invalidValue(line: P.line(f["window"]!), field: "window", value: "0", expected: "a duration > 0")
        }
        return AlertRule(
            name: name, signal: signal, scope: scope, op: op, threshold: threshold,
            forMicros: try P.duration(f["for"], "for") ?? 0,
            keepFiringForMicros: try P.duration(f["keep_firing_for"], "keep_firing_for") ?? 0,
            windowMicros: window, severity: try P.string(f["severity"], "severity") ?? "warning",
            summary: try P.string(f["summary"], "summary") ?? "", line: at)
    }

    static func signal(_ text: String, node: Node, _ f: [String: Node]) throws(RulesError) -> AlertSignal {
        typealias P = RulesParser
        switch text {
        case "error_rate": return .errorRate
        case "p99_ms": return .p99Ms
        case "rps": return .rps
        case "apdex": return .apdex
        case "breaker_open": return .breakerOpen
        case "blocked_rate": return .blockedRate
        case "log_rate":
            let s = try P.string(f["min_severity"], "min_severity") ?? "error"
            guard let sev = Severity(name: s) else {
                throw .invalidValue(
                    line: P.line(f["min_severity"]!), field: "min_severity", value: s,
                    expected: "a severity: emerg alert crit error warn notice info debug")
            }
            return .logRate(minSeverity: sev)
        default:
            guard text.hasPrefix("metric:"), text.count > 7 else {
                throw .invalidValue(
                    line: P.line(node), field: "signal", value: text,
                    expected: "error_rate, p99_ms, rps, apdex, breaker_open, blocked_rate, log_rate or metric:<name>")
            }
            let a = try P.string(f["aggregation"], "aggregation") ?? "last"
            guard let agg = MetricAggregation(rawValue: a) else {
                throw .invalidValue(
                    line: P.line(f["aggregation"]!), field: "aggregation", value: a,
                    expected: MetricAggregation.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return .metric(name: String(text.dropFirst(7)), aggregation: agg)
        }
    }
}
