import MeshtopModel

/// One entry of the rules file's `limits:` list: a Sentinel `FlowRule` simulated over the calls meshtop sees.
///
/// The resource is each service matching `match` (the calls into it, from any caller) or each edge matching
/// `caller`/`callee`; every matching resource gets its own controller, as distinct Sentinel resources would.
public struct FlowRule: Sendable, Hashable {
    /// Sentinel's `controlBehavior`.
    public enum Behavior: String, Sendable, Hashable, CaseIterable {
        /// `DefaultController`: reject once the pass QPS (or in-flight count) would exceed the threshold.
        case reject
        /// `WarmUpController`: a token bucket that lets a cold resource start at threshold / cold_factor QPS and
        /// ramps to the threshold over `warm_up_period`.
        case warmUp = "warm_up"
        /// `RateLimiterController`: passes calls evenly spaced 1 / qps apart, queueing up to `max_queueing_time`.
        case throttle
    }

    /// Sentinel's `grade`.
    public enum Grade: String, Sendable, Hashable {
        case qps
        case concurrency
    }

    public var name: String
    /// Service glob (`match`); nil for an edge rule.
    public var service: String?
    public var caller: String?
    public var callee: String?
    public var grade: Grade
    /// Sentinel's `count`: calls per second, or calls in flight.
    public var threshold: Double
    public var behavior: Behavior
    public var warmUpPeriodMicros: Int64
    public var coldFactor: Int
    public var maxQueueingMicros: Int64
    public var line: Int

    public init(
        name: String, service: String? = nil, caller: String? = nil, callee: String? = nil, grade: Grade = .qps,
        threshold: Double, behavior: Behavior = .reject, warmUpPeriodMicros: Int64 = 10_000_000,
        coldFactor: Int = 3, maxQueueingMicros: Int64 = 500_000, line: Int = 0
    ) {
        self.name = name
        self.service = service
        self.caller = caller
        self.callee = callee
        self.grade = grade
        self.threshold = threshold
        self.behavior = behavior
        self.warmUpPeriodMicros = warmUpPeriodMicros
        self.coldFactor = coldFactor
        self.maxQueueingMicros = maxQueueingMicros
        self.line = line
    }

    /// Whether the rule is about edges (`caller`/`callee`) rather than services (`match`).
    public var isEdge: Bool { service == nil }

    /// Whether calls on `caller → callee` count for the rule.
    public func matches(caller c: String, callee d: String) -> Bool {
        if let s = service { return Glob.matches(s, d) }
        return Glob.matches(caller, c) && Glob.matches(callee, d)
    }
}
