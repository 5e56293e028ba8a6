import MeshtopModel
import Yams

extension RuleSet {
    /// The largest rules file accepted (1 MiB): a hand-written file is a few KiB, and YAML composition costs
    /// about 25 bytes of memory and 1 µs per input byte, so the bound keeps loading under a second.
    public static let maxFileBytes = 1 << 20
    /// The most `services`, `breakers` and `rules` entries accepted together.
    public static let maxEntries = 10_000

    /// Parses a rules file (format: `samples/rules.yaml`). Errors name the line of the offending entry. The size
    /// and entry-count bounds are checked before the YAML is composed.
    public static func parse(yaml: String) throws(RulesError) -> RuleSet {
        let bytes = yaml.utf8.count
        guard bytes <= maxFileBytes else { throw .fileTooLarge(bytes: bytes, limit: maxFileBytes) }
        let items = RulesParser.blockListItems(yaml.utf8)
        guard items <= maxEntries else { throw .tooManyEntries(count: items, limit: maxEntries) }
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let e as YamlError {
            throw RulesParser.syntaxError(e)
        } catch {
            throw RulesError.syntax(line: 1, message: "\(error)")
        }
        guard let root else { return .empty }
        let set = try RulesParser.ruleSet(root)
        // Flow-style lists (`rules: [{…}, {…}]`) escape the line count above; count what was parsed too.
        let entries = set.services.count + set.breakers.count + set.rules.count + set.limits.count
        guard entries <= maxEntries else { throw .tooManyEntries(count: entries, limit: maxEntries) }
        return set
    }
}

/// Turns a composed YAML tree into a `RuleSet`, keeping line numbers for error messages.
enum RulesParser {
    /// Lines whose first non-blank character is a block-list dash (`- x` or a lone `-`): an upper bound on the
    /// entries of block-style lists, counted in one pass over the bytes without parsing.
    static func blockListItems(_ text: String.UTF8View) -> Int {
        var count = 0
        var atLineStart = true
        var sawDash = false
        for byte in text {
            if sawDash {
                sawDash = false
                if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\t") { count += 1 }
            }
            if byte == UInt8(ascii: "\n") {
                atLineStart = true
            } else if atLineStart && byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t") {
                atLineStart = false
                sawDash = byte == UInt8(ascii: "-")
            }
        }
        return count + (sawDash ? 1 : 0)
    }

    static func syntaxError(_ e: YamlError) -> RulesError {
        switch e {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return .syntax(line: mark.line, message: problem)
        case .duplicatedKeysInMapping(let d, let ctx):
            return .syntax(line: ctx.mark.line, message: "duplicated key \(d.joined(separator: ", "))")
        default:
            return .syntax(line: 1, message: "\(e)")
        }
    }

    static func line(_ n: Node) -> Int { n.mark?.line ?? 1 }

    /// The mapping's entries, rejecting keys outside `allowed`.
    static func fields(_ n: Node, allowed: [String], context: String) throws(RulesError) -> [String: Node] {
        guard let m = n.mapping else {
            throw .invalidValue(line: line(n), field: context, value: n.string ?? "a list", expected: "a mapping")
        }
        var out: [String: Node] = [:]
        for (k, v) in m {
            let key = k.string ?? ""
            guard allowed.contains(key) else {
                throw .unknownField(line: line(k), field: key, allowed: allowed)
            }
            out[key] = v
        }
        return out
    }

    static func list(_ n: Node?, field: String) throws(RulesError) -> [Node] {
        guard let n else { return [] }
        if case .scalar(let s) = n, s.string.isEmpty || s.string == "null" || s.string == "~" { return [] }
        guard let seq = n.sequence else {
            throw .invalidValue(line: line(n), field: field, value: n.string ?? "a mapping", expected: "a list (- …)")
        }
        return Array(seq)
    }

    static func string(_ n: Node?, _ field: String) throws(RulesError) -> String? {
        guard let n else { return nil }
        guard let s = n.scalar?.string else {
            throw .invalidValue(line: line(n), field: field, value: "a list or mapping", expected: "a text value")
        }
        return s
    }

    static func number(_ n: Node?, _ field: String, in range: ClosedRange<Double>? = nil) throws(RulesError) -> Double?
    {
        guard let s = try string(n, field) else { return nil }
        var t = s.trimmingWhitespace()
        if t.hasSuffix("%") { t.removeLast() }
        guard let v = Double(t), v.isFinite, range.map({ $0.contains(v) }) ?? true else {
            let expect = range.map {
                "a number from \(JSONNumber.text($0.lowerBound)) to \(JSONNumber.text($0.upperBound))"
            }
            throw .invalidValue(line: line(n!), field: field, value: s, expected: expect ?? "a number")
        }
        return v
    }

    static func integer(_ n: Node?, _ field: String) throws(RulesError) -> Int? {
        guard let v = try number(n, field, in: 1...1_000_000) else { return nil }
        guard v == v.rounded() else {
            throw .invalidValue(line: line(n!), field: field, value: "\(v)", expected: "a whole number ≥ 1")
        }
        return Int(v)
    }

    static func duration(_ n: Node?, _ field: String) throws(RulesError) -> Int64? {
        guard let s = try string(n, field) else { return nil }
        guard let v = DurationText.parseMicros(s) else {
            throw .invalidValue(
                line: line(n!), field: field, value: s, expected: "a duration such as 250ms, 30s, 5m, 1h")
        }
        return v
    }

    static let topFields = ["defaults", "services", "breakers", "limits", "rules"]
    static let thresholdFields = [
        "apdex_t", "latency_objective", "error_rate_degraded", "error_rate_failing", "min_apdex",
    ]
    static let breakerFields = [
        "preset", "failure_rate_threshold", "slow_call_rate_threshold", "slow_call_duration",
        "wait_duration_in_open_state", "permitted_calls_in_half_open_state", "minimum_number_of_calls",
        "sliding_window_size", "sliding_window_type",
    ]

    static func ruleSet(_ root: Node) throws(RulesError) -> RuleSet {
        let top = try fields(root, allowed: topFields, context: "the rules file")
        var set = RuleSet()
        var defaultWindow: Int64 = 60_000_000
        if let d = top["defaults"] {
            let f = try fields(d, allowed: ["window", "breaker"] + thresholdFields, context: "defaults")
            defaultWindow = try duration(f["window"], "window") ?? defaultWindow
            set.defaultThresholds = try thresholds(f, base: .default)
            if let b = f["breaker"] {
                set.defaultBreaker = try breakerConfig(b, base: .resilience4j)
            }
        }
        for n in try list(top["services"], field: "services") {
            let f = try fields(n, allowed: ["match"] + thresholdFields, context: "a services entry")
            guard let m = try string(f["match"], "match") else {
                throw .missingField(line: line(n), field: "match", context: "this services entry")
            }
            set.services.append(ServiceSettings(match: m, thresholds: try thresholds(f, base: set.defaultThresholds)))
        }
        for n in try list(top["breakers"], field: "breakers") {
            let f = try fields(n, allowed: ["caller", "callee"] + breakerFields, context: "a breakers entry")
            let config = try breakerConfig(n, base: set.defaultBreaker, skipping: ["caller", "callee"])
            set.breakers.append(
                BreakerSettings(
                    caller: try string(f["caller"], "caller") ?? "*", callee: try string(f["callee"], "callee") ?? "*",
                    config: config))
        }
        for (i, n) in try list(top["limits"], field: "limits").enumerated() {
            set.limits.append(try FlowRuleParser.rule(n, index: i))
        }
        var seen: [String: Int] = [:]
        for n in try list(top["rules"], field: "rules") {
            let r = try AlertRuleParser.rule(n, defaultWindow: defaultWindow)
            if let first = seen[r.name] { throw .duplicateRule(line: r.line, name: r.name, firstLine: first) }
            seen[r.name] = r.line
            set.rules.append(r)
        }
        return set
    }

    static func thresholds(_ f: [String: Node], base: HealthThresholds) throws(RulesError) -> HealthThresholds {
        var t = base
        t.apdexTMicros = try duration(f["apdex_t"], "apdex_t") ?? t.apdexTMicros
        t.latencyObjectiveMicros = try duration(f["latency_objective"], "latency_objective") ?? t.latencyObjectiveMicros
        t.degradedErrorRate =
            try number(f["error_rate_degraded"], "error_rate_degraded", in: 0...100)
            ?? t.degradedErrorRate
        t.failingErrorRate =
            try number(f["error_rate_failing"], "error_rate_failing", in: 0...100)
            ?? t.failingErrorRate
        t.minApdex = try number(f["min_apdex"], "min_apdex", in: 0...1) ?? t.minApdex
        return t
    }

    /// A breaker config: a preset name (`hystrix`) or a mapping with an optional `preset` and overrides.
    static func breakerConfig(
        _ n: Node, base: BreakerConfig, skipping: [String] = []
    ) throws(RulesError) -> BreakerConfig {
        if let s = n.scalar?.string {
            guard let p = BreakerConfig.preset(named: s) else {
                throw .invalidValue(
                    line: line(n), field: "breaker", value: s, expected: "resilience4j, hystrix or sentinel")
            }
            return p
        }
        let f = try fields(n, allowed: skipping + breakerFields, context: "a breaker")
        var c = base
        if let p = try string(f["preset"], "preset") {
            guard let preset = BreakerConfig.preset(named: p) else {
                throw .invalidValue(
                    line: line(f["preset"]!), field: "preset", value: p,
                    expected: "resilience4j, hystrix or sentinel")
            }
            c = preset
        }
        c.failureRateThreshold =
            try number(f["failure_rate_threshold"], "failure_rate_threshold", in: 0...100)
            ?? c.failureRateThreshold
        c.slowCallRateThreshold =
            try number(f["slow_call_rate_threshold"], "slow_call_rate_threshold", in: 0...100)
            ?? c.slowCallRateThreshold
        c.slowCallDurationMicros =
            try duration(f["slow_call_duration"], "slow_call_duration") ?? c.slowCallDurationMicros
        c.waitDurationInOpenStateMicros =
            try duration(f["wait_duration_in_open_state"], "wait_duration_in_open_state")
            ?? c.waitDurationInOpenStateMicros
        c.permittedCallsInHalfOpenState =
            try integer(
                f["permitted_calls_in_half_open_state"], "permitted_calls_in_half_open_state")
            ?? c.permittedCallsInHalfOpenState
        c.minimumNumberOfCalls =
            try integer(f["minimum_number_of_calls"], "minimum_number_of_calls")
            ?? c.minimumNumberOfCalls
        c.slidingWindowSize = try integer(f["sliding_window_size"], "sliding_window_size") ?? c.slidingWindowSize
        if let t = try string(f["sliding_window_type"], "sliding_window_type") {
            guard let type = BreakerConfig.WindowType(rawValue: t.lowercased()) else {
                throw .invalidValue(
                    line: line(f["sliding_window_type"]!), field: "sliding_window_type", value: t,
                    expected: "count_based or time_based")
            }
            c.slidingWindowType = type
        }
        return c
    }
}
