import MeshtopModel
import MeshtopStore

/// Turns query results into output records: the JSON shapes of docs/query.md, also used by table and CSV.
public enum Records {
    public static func services(_ rows: [ServiceRow]) -> OutputTable {
        OutputTable(
            columns: [
                "service", "requests", "errors", "error_rate", "rps", "p50_ms", "p90_ms", "p99_ms", "max_ms",
                "inflight_max", "inflight_p99", "apdex", "health",
            ],
            records: rows.map { r in
                OutputRecord([
                    OutputField("service", .text(r.service)), OutputField("requests", .int(r.requests)),
                    OutputField("errors", .int(r.errors)), OutputField("error_rate", .ratio(r.errorRate)),
                    OutputField("rps", .number(OutputValue.roundTo(r.rps, 6), decimals: 2)),
                    OutputField("p50_ms", .millis(r.p50Ms)), OutputField("p90_ms", .millis(r.p90Ms)),
                    OutputField("p99_ms", .millis(r.p99Ms)), OutputField("max_ms", .millis(r.maxMs)),
                    OutputField("inflight_max", r.inflightMax.map { .int($0) } ?? .null),
                    OutputField("inflight_p99", r.inflightP99.map { .int($0) } ?? .null),
                    OutputField(
                        "inflight_mean",
                        r.inflightMean.map { .number(OutputValue.roundTo($0, 3), decimals: 2) } ?? .null,
                        inTable: false),
                    OutputField("apdex", r.apdex.map { .number(OutputValue.roundTo($0, 6), decimals: 3) } ?? .null),
                    OutputField("health", .text(r.health.rawValue)),
                ])
            })
    }

    public static func traces(_ rows: [TraceSummary]) -> OutputTable {
        OutputTable(
            columns: [
                "trace_id", "root_service", "root_operation", "start", "duration_ms", "span_count", "services",
                "error",
            ],
            records: rows.map { t in
                OutputRecord([
                    OutputField("trace_id", .text(t.traceID.hex)), OutputField("root_service", .text(t.rootService)),
                    OutputField("root_operation", .text(t.rootOperation)), OutputField("start", .time(t.startMicros)),
                    OutputField("duration_ms", .millis(Double(t.durationMicros) / 1000)),
                    OutputField("span_count", .int(Int64(t.spanCount))),
                    OutputField("services", .list(t.services.map { .text($0) })), OutputField("error", .bool(t.error)),
                ])
            })
    }

    /// `{trace_id, spans:[…]}`.
    public static func trace(_ detail: TraceDetail) -> OutputValue {
        .object([
            OutputField("trace_id", .text(detail.traceID.hex)),
            OutputField("spans", .list(spans(detail.spans).records.map { .object($0.fields) })),
        ])
    }

    /// The spans of one trace; `kind` is the lowercase OTLP kind name (`server`, `client`, …, `unspecified`).
    public static func spans(_ spans: [Span]) -> OutputTable {
        OutputTable(
            columns: ["span_id", "parent_id", "service", "name", "kind", "start", "duration_ms", "error"],
            records: spans.map { s in
                OutputRecord([
                    OutputField("span_id", .text(s.spanID.hex)),
                    OutputField("parent_id", s.parentID.map { .text($0.hex) } ?? .null),
                    OutputField("service", .text(s.service)), OutputField("name", .text(s.name)),
                    OutputField("kind", .text(s.kind == .unspecified ? "unspecified" : s.kind.name.lowercased())),
                    OutputField("start", .time(s.startMicros)),
                    OutputField("duration_ms", .millis(Double(s.durationMicros) / 1000)),
                    OutputField("error", .bool(s.isError)),
                    OutputField("attributes", attributes(s.attributes), inTable: false),
                    OutputField(
                        "events",
                        .list(
                            s.events.map {
                                .object([
                                    OutputField("time", .time($0.timeMicros)), OutputField("name", .text($0.name)),
                                    OutputField("attributes", attributes($0.attributes)),
                                ])
                            }), inTable: false),
                    OutputField(
                        "links",
                        .list(
                            s.links.map {
                                .object([
                                    OutputField("trace_id", .text($0.traceID.hex)),
                                    OutputField("span_id", .text($0.spanID.hex)),
                                    OutputField("attributes", attributes($0.attributes)),
                                ])
                            }), inTable: false),
                ])
            })
    }

    /// `{nodes:[{service, health}], edges:[…]}`.
    public static func topology(_ t: Topology) -> OutputValue {
        .object([
            OutputField(
                "nodes",
                .list(
                    t.nodes.map {
                        .object([
                            OutputField("service", .text($0.service)), OutputField("health", .text($0.health.rawValue)),
                        ])
                    })),
            OutputField("edges", .list(edges(t.edges).records.map { .object($0.fields) })),
        ])
    }

    public static func edges(_ rows: [EdgeRow]) -> OutputTable {
        OutputTable(
            columns: ["caller", "callee", "calls", "errors", "error_rate", "rps", "p99_ms", "breaker"],
            records: rows.map { e in
                OutputRecord([
                    OutputField("caller", .text(e.caller)), OutputField("callee", .text(e.callee)),
                    OutputField("calls", .int(e.calls)), OutputField("errors", .int(e.errors)),
                    OutputField("error_rate", .ratio(e.errorRate)),
                    OutputField("rps", .number(OutputValue.roundTo(e.rps, 6), decimals: 2)),
                    OutputField("p99_ms", .millis(e.p99Ms)),
                    OutputField("breaker", e.breaker.map { .text($0.rawValue) } ?? .null),
                ])
            })
    }

    public static func logs(_ rows: [LogRow]) -> OutputTable {
        OutputTable(
            columns: ["time", "service", "host", "severity", "message", "trace_id", "span_id"],
            records: rows.map { row in
                let l = row.record
                return OutputRecord([
                    OutputField("time", .time(l.timeMicros)), OutputField("service", .text(l.service)),
                    OutputField("host", .text(l.host)), OutputField("severity", .text(l.severity.name)),
                    OutputField("message", .text(l.message)),
                    OutputField("trace_id", l.traceID.map { .text($0.hex) } ?? .null),
                    OutputField("span_id", l.spanID.map { .text($0.hex) } ?? .null),
                    OutputField("attributes", attributes(l.attributes), inTable: false),
                ])
            })
    }

    /// Only the fields that apply to each series' type are present; `exemplar_trace_ids` (JSON/JSONL only) when
    /// OTLP exemplars named traces.
    public static func metrics(_ rows: [MetricRow]) -> OutputTable {
        OutputTable(
            columns: [
                "name", "type", "tags", "count", "sum", "rate", "min", "max", "mean", "p50", "p90", "p95", "p99",
                "last", "unique",
            ],
            records: rows.map { m in
                var fields = [
                    OutputField("name", .text(m.name)), OutputField("type", .text(m.type.rawValue)),
                    OutputField("tags", .list(m.tags.map { .text($0) })),
                ]
                let numbers: [(String, Double?)] = [
                    ("count", m.count), ("sum", m.sum), ("rate", m.rate), ("min", m.min), ("max", m.max),
                    ("mean", m.mean), ("p50", m.p50), ("p90", m.p90), ("p95", m.p95), ("p99", m.p99),
                    ("last", m.last),
                ]
                for (key, value) in numbers {
                    if let value { fields.append(OutputField(key, .number(value, decimals: 2))) }
                }
                if let u = m.unique { fields.append(OutputField("unique", .int(Int64(u)))) }
                if !m.exemplarTraceIDs.isEmpty {
                    fields.append(
                        OutputField(
                            "exemplar_trace_ids", .list(m.exemplarTraceIDs.map { .text($0.hex) }), inTable: false))
                }
                return OutputRecord(fields)
            })
    }

    /// Rates are percentages (0–100) as Resilience4j reports them; null while undefined (too few calls).
    public static func breakers(_ rows: [BreakerStatus]) -> OutputTable {
        OutputTable(
            columns: [
                "caller", "callee", "state", "source", "failure_rate", "slow_call_rate", "calls_in_window",
                "would_reject", "since", "transitions",
            ],
            records: rows.map { b in
                OutputRecord([
                    OutputField("caller", .text(b.caller)), OutputField("callee", .text(b.callee)),
                    OutputField("state", .text(b.state.rawValue)), OutputField("source", .text(b.source.rawValue)),
                    OutputField("failure_rate", .optional(b.failureRate, decimals: 1)),
                    OutputField("slow_call_rate", .optional(b.slowCallRate, decimals: 1)),
                    OutputField("calls_in_window", .int(Int64(b.callsInWindow))),
                    OutputField("would_reject", .int(b.wouldReject)), OutputField("since", .time(b.sinceMicros)),
                    OutputField("transitions", .int(Int64(b.transitions))),
                ])
            })
    }

    public static func breakerHistory(_ rows: [BreakerTransition]) -> OutputTable {
        OutputTable(
            columns: [
                "at", "caller", "callee", "source", "from", "to", "failure_rate", "slow_call_rate", "calls",
                "failed_calls", "slow_calls",
            ],
            records: rows.map { t in
                OutputRecord([
                    OutputField("at", .time(t.atMicros)), OutputField("caller", .text(t.caller)),
                    OutputField("callee", .text(t.callee)), OutputField("source", .text(t.source.rawValue)),
                    OutputField("from", .text(t.from.rawValue)), OutputField("to", .text(t.to.rawValue)),
                    OutputField("failure_rate", .optional(t.failureRate, decimals: 1)),
                    OutputField("slow_call_rate", .optional(t.slowCallRate, decimals: 1)),
                    OutputField("calls", .int(Int64(t.calls))), OutputField("failed_calls", .int(Int64(t.failedCalls))),
                    OutputField("slow_calls", .int(Int64(t.slowCalls))),
                ])
            })
    }

    public static func alerts(_ rows: [AlertStatus]) -> OutputTable {
        OutputTable(
            columns: ["rule", "severity", "labels", "state", "value", "since", "fired_at", "resolved_at", "summary"],
            records: rows.map { a in
                OutputRecord([
                    OutputField("rule", .text(a.rule)), OutputField("severity", .text(a.severity)),
                    OutputField("labels", attributes(a.labels)), OutputField("state", .text(a.state.rawValue)),
                    OutputField("value", .number(a.value, decimals: 3)), OutputField("since", .time(a.sinceMicros)),
                    OutputField("fired_at", a.firedAtMicros.map { .time($0) } ?? .null),
                    OutputField("resolved_at", a.resolvedAtMicros.map { .time($0) } ?? .null),
                    OutputField("summary", .text(a.summary)),
                ])
            })
    }

    public static func alertHistory(_ rows: [AlertTransition]) -> OutputTable {
        OutputTable(
            columns: ["at", "rule", "severity", "labels", "from", "to", "value", "summary"],
            records: rows.map { t in
                OutputRecord([
                    OutputField("at", .time(t.atMicros)), OutputField("rule", .text(t.rule)),
                    OutputField("severity", .text(t.severity)), OutputField("labels", attributes(t.labels)),
                    OutputField("from", .text(t.from.rawValue)), OutputField("to", .text(t.to.rawValue)),
                    OutputField("value", .number(t.value, decimals: 3)), OutputField("summary", .text(t.summary)),
                ])
            })
    }

    /// Raw SQL rows: BLOBs as lowercase hex, text as text.
    public static func sql(_ result: SQLResult) -> OutputTable {
        OutputTable(
            columns: result.columns,
            records: result.rows.map { row in
                OutputRecord(
                    zip(result.columns, row).map { column, value in
                        switch value {
                        case .null: return OutputField(column, .null)
                        case .integer(let i): return OutputField(column, .int(i))
                        case .real(let d): return OutputField(column, .number(d, decimals: 3))
                        case .text(let s): return OutputField(column, .text(s))
                        case .blob(let b): return OutputField(column, .text(HexParsing.hex(b)))
                        }
                    })
            })
    }

    public static func attributes(_ attrs: [Attribute]) -> OutputValue {
        .object(attrs.map { OutputField($0.key, value($0.value)) })
    }

    static func value(_ v: AttributeValue) -> OutputValue {
        switch v {
        case .string(let s): return .text(s)
        case .int(let i): return .int(i)
        case .double(let d): return .number(d, decimals: 3)
        case .bool(let b): return .bool(b)
        case .array(let items): return .list(items.map(value))
        case .map(let members): return attributes(members)
        }
    }
}
