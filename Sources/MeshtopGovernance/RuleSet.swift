import MeshtopModel

/// Per-edge breaker settings from the rules file's `breakers:` list.
public struct BreakerSettings: Sendable, Hashable {
    public var caller: String
    public var callee: String
    public var config: BreakerConfig

    public init(caller: String = "*", callee: String = "*", config: BreakerConfig) {
        self.caller = caller
        self.callee = callee
        self.config = config
    }
}

/// Everything the rules file configures: alert rules, per-service thresholds, per-edge breakers, defaults.
/// The first matching `services:`/`breakers:` entry wins; nothing matching means the defaults.
public struct RuleSet: Sendable, Hashable {
    public var rules: [AlertRule]
    public var services: [ServiceSettings]
    public var breakers: [BreakerSettings]
    /// Flow rules (`limits:`), simulated with Sentinel's semantics.
    public var limits: [FlowRule]
    public var defaultThresholds: HealthThresholds
    public var defaultBreaker: BreakerConfig

    public init(
        rules: [AlertRule] = [], services: [ServiceSettings] = [], breakers: [BreakerSettings] = [],
        limits: [FlowRule] = [], defaultThresholds: HealthThresholds = .default,
        defaultBreaker: BreakerConfig = .resilience4j
    ) {
        self.rules = rules
        self.services = services
        self.breakers = breakers
        self.limits = limits
        self.defaultThresholds = defaultThresholds
        self.defaultBreaker = defaultBreaker
    }

    /// No rules, Kiali and Resilience4j defaults.
    public static let empty = RuleSet()

    public func thresholds(for service: String) -> HealthThresholds {
        services.first { Glob.matches($0.match, service) }?.thresholds ?? defaultThresholds
    }

    public func breakerConfig(caller: String, callee: String) -> BreakerConfig {
        breakers.first { Glob.matches($0.caller, caller) && Glob.matches($0.callee, callee) }?.config
            ?? defaultBreaker
    }

    /// The `services:` entries followed by the defaults as `match: "*"`: what `thresholds(for:)` answers from, as
    /// the collector stores it for readers (`health_thresholds`).
    public var effectiveThresholds: [ServiceSettings] {
        services + [ServiceSettings(match: "*", thresholds: defaultThresholds)]
    }

    /// Rules answering `thresholds(for:)` from stored `effectiveThresholds` (the last entry is the default); the
    /// defaults when `stored` is empty (a database no collector with this version wrote).
    public init(thresholds stored: [ServiceSettings]) {
        self.init()
        guard let last = stored.last else { return }
        services = Array(stored.dropLast())
        defaultThresholds = last.thresholds
    }

    /// The longest rule window, for how much history the engine keeps.
    public var maxWindowMicros: Int64 { rules.map(\.windowMicros).max() ?? 60_000_000 }
}

/// A rules file that cannot be used. Every case names the line (1-based) and says what to change.
public enum RulesError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file is not valid YAML.
    case syntax(line: Int, message: String)
    /// A key that meshtop does not know (often a typo).
    case unknownField(line: Int, field: String, allowed: [String])
    /// A required key is absent.
    case missingField(line: Int, field: String, context: String)
    /// A key's value has the wrong shape or is out of range.
    case invalidValue(line: Int, field: String, value: String, expected: String)
    /// Two rules with the same name.
    case duplicateRule(line: Int, name: String, firstLine: Int)
    /// The file is larger than `RuleSet.maxFileBytes`; found before any parsing.
    case fileTooLarge(bytes: Int, limit: Int)
    /// More `services`/`breakers`/`rules` entries together than `RuleSet.maxEntries`; `count` is a lower bound
    /// when found before parsing.
    case tooManyEntries(count: Int, limit: Int)

    public var line: Int {
        switch self {
        case .syntax(let l, _), .unknownField(let l, _, _), .missingField(let l, _, _),
            .invalidValue(let l, _, _, _), .duplicateRule(let l, _, _):
            return l
        case .fileTooLarge, .tooManyEntries:
            return 1
        }
    }

    public var description: String {
        switch self {
        case .syntax(let l, let m):
            return "rules file line \(l): not valid YAML (\(m)); fix the indentation or quoting there"
        case .unknownField(let l, let f, let allowed):
            return "rules file line \(l): unknown field '\(f)'; use one of: \(allowed.joined(separator: ", "))"
        case .missingField(let l, let f, let c):
            return "rules file line \(l): \(c) needs a '\(f)' field; add it"
        case .invalidValue(let l, let f, let v, let e):
            return "rules file line \(l): '\(f)' is '\(v)'; expected \(e)"
        case .duplicateRule(let l, let n, let first):
            return "rules file line \(l): a rule named '\(n)' already exists at line \(first); rename one"
        case .fileTooLarge(let bytes, let limit):
            return
                "the rules file is \(bytes) bytes, over the limit of \(limit) bytes (\(limit >> 20) MiB); a rules file holds hand-written rules, so use globs "
                + "(match: \"payments*\") instead of one entry per service, or split the collectors"
        case .tooManyEntries(let count, let limit):
            return "the rules file has \(count) entries (services, breakers and rules), over the limit of "
                + "\(limit); use globs (match: \"payments*\") instead of one entry per service"
        }
    }
}
