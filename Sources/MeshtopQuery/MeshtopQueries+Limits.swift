import MeshtopModel

extension LimitStat {
    /// Blocked share of decided calls (0–1); 0 with none.
    public var blockedRate: Double { passed + blocked > 0 ? Double(blocked) / Double(passed + blocked) : 0 }
}

extension MeshtopQueries {
    /// Flow rule decisions per rule and resource summed over the minutes starting in `window` (`limit_stats`);
    /// `minuteMicros` is the window's first minute.
    public func limits(window: TimeWindow) throws -> [LimitStat] {
        try reader.limitStats(fromMinute: Self.floorMinute(window.sinceMicros), until: window.untilMicros)
    }
}

extension Records {
    /// Flow rule decisions: a service rule names `service`, an edge rule `caller` and `callee` (the others null).
    public static func limits(_ rows: [LimitStat]) -> OutputTable {
        OutputTable(
            columns: ["rule", "service", "caller", "callee", "passed", "blocked", "queued", "blocked_rate"],
            records: rows.map { l in
                let text = { (s: String) -> OutputValue in s.isEmpty ? .null : .text(s) }
                return OutputRecord([
                    OutputField("rule", .text(l.rule)), OutputField("service", text(l.service)),
                    OutputField("caller", text(l.caller)), OutputField("callee", text(l.callee)),
                    OutputField("passed", .int(l.passed)), OutputField("blocked", .int(l.blocked)),
                    OutputField("queued", .int(l.queued)), OutputField("blocked_rate", .ratio(l.blockedRate)),
                ])
            })
    }
}
