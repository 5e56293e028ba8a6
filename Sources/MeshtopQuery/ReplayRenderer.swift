import MeshtopModel

/// `meshtop replay` output. JSON is one object: `from`, `to`, `spans`, `logs`, `note`, `transitions` (replayed
/// and recorded, each with `origin`, by time) and `limits` (per rule and resource: replayed and recorded
/// passed/blocked/queued). Table prints the transitions, then the limits.
public enum ReplayRenderer {
    public static let note =
        "replayed from stored spans and logs; metric rules see no data (only flushed metric rollups are stored)"

    public static func render(_ r: ReplayResult, as format: OutputFormat) -> String {
        let transitions = transitionTable(r.transitions)
        let limits = limitTable(r.limits)
        if format == .json {
            let object = OutputValue.object([
                OutputField("from", .time(r.window.sinceMicros)), OutputField("to", .time(r.window.untilMicros)),
                OutputField("spans", .int(r.spans)), OutputField("logs", .int(r.logs)),
                OutputField("note", .text(note)),
                OutputField("transitions", .list(transitions.records.map { .object($0.fields) })),
                OutputField("limits", .list(limits.records.map { .object($0.fields) })),
            ])
            return JSONRenderer.encode(object) + "\n"
        }
        var out = "replayed \(r.spans) spans and \(r.logs) logs; \(note)\n\n"
        out += OutputRenderer.render(transitions, as: .table)
        if !limits.records.isEmpty { out += "\n" + OutputRenderer.render(limits, as: .table) }
        return out
    }

    static func transitionTable(_ rows: [ReplayTransition]) -> OutputTable {
        let text = { (s: String?) -> OutputValue in s.map(OutputValue.text) ?? .null }
        return OutputTable(
            columns: ["at", "origin", "kind", "caller", "callee", "service", "rule", "from", "to", "source", "value"],
            records: rows.map { t in
                OutputRecord([
                    OutputField("at", .time(t.atMicros)), OutputField("origin", .text(t.origin.rawValue)),
                    OutputField("kind", .text(t.kind.rawValue)), OutputField("caller", text(t.caller)),
                    OutputField("callee", text(t.callee)), OutputField("service", text(t.service)),
                    OutputField("rule", text(t.rule)), OutputField("from", .text(t.from)),
                    OutputField("to", .text(t.to)), OutputField("source", text(t.source)),
                    OutputField("value", .optional(t.value, decimals: 3)),
                ])
            })
    }

    static func limitTable(_ rows: [ReplayLimitTotal]) -> OutputTable {
        let text = { (s: String) -> OutputValue in s.isEmpty ? .null : .text(s) }
        return OutputTable(
            columns: [
                "rule", "service", "caller", "callee", "replayed_passed", "replayed_blocked", "replayed_queued",
                "recorded_passed", "recorded_blocked", "recorded_queued",
            ],
            records: rows.map { l in
                OutputRecord([
                    OutputField("rule", .text(l.rule)), OutputField("service", text(l.service)),
                    OutputField("caller", text(l.caller)), OutputField("callee", text(l.callee)),
                    OutputField("replayed_passed", .int(l.replayed.passed)),
                    OutputField("replayed_blocked", .int(l.replayed.blocked)),
                    OutputField("replayed_queued", .int(l.replayed.queued)),
                    OutputField("recorded_passed", .int(l.recorded.passed)),
                    OutputField("recorded_blocked", .int(l.recorded.blocked)),
                    OutputField("recorded_queued", .int(l.recorded.queued)),
                ])
            })
    }
}
