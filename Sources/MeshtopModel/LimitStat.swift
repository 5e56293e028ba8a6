/// One flow rule's decisions on one resource over one minute (event time, the minute of the calls' end).
/// The resource is a service (`match` rules: calls into it) or an edge (`caller`/`callee` rules).
public struct LimitStat: Hashable, Sendable {
    public var minuteMicros: Int64
    public var rule: String
    /// The service of a `match` rule; empty for edge rules.
    public var service: String
    /// The edge of a `caller`/`callee` rule; empty for service rules.
    public var caller: String
    public var callee: String
    /// Calls that would have passed (queued ones included).
    public var passed: Int64
    /// Calls that would have been rejected.
    public var blocked: Int64
    /// Calls a `throttle` rule would have passed after waiting in its queue.
    public var queued: Int64

    public init(
        minuteMicros: Int64, rule: String, service: String, caller: String, callee: String, passed: Int64,
        blocked: Int64, queued: Int64
    ) {
        self.minuteMicros = minuteMicros
        self.rule = rule
        self.service = service
        self.caller = caller
        self.callee = callee
        self.passed = passed
        self.blocked = blocked
        self.queued = queued
    }
}
