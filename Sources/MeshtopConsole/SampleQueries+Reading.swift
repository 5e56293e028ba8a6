import MeshtopModel
import MeshtopQuery

/// The `QueryReading` requirements over the canned data, with the filters applied as a store would.
extension SampleQueries {
    public func latestEventMicros() throws -> Int64? { nowMicros }
    public func services(window: TimeWindow) throws -> [ServiceRow] { serviceRows }

    public func traces(_ search: TraceSearch) throws -> [TraceSummary] {
        let hits = summaries.filter { t in
            (search.service == nil || t.services.contains(search.service ?? ""))
                && (search.operation == nil || t.rootOperation == search.operation)
                && (search.minDurationMicros.map { t.durationMicros >= $0 } ?? true)
                && (!search.errorsOnly || t.error)
        }
        return Array(hits.prefix(search.limit))
    }

    public func trace(idOrPrefix: String) throws -> TraceDetail? {
        let hits = details.filter { $0.key.hex.hasPrefix(idOrPrefix.lowercased()) }
        if hits.count > 1 { throw QueryError.ambiguous(prefix: idOrPrefix, matches: hits.count) }
        return hits.first?.value
    }

    public func topology(window: TimeWindow) throws -> Topology {
        Topology(nodes: serviceRows.map { TopologyNode(service: $0.service, health: $0.health) }, edges: edgeRows)
    }

    /// The newest `limit` matching records, oldest first.
    public func logs(_ search: LogSearch) throws -> [LogRow] {
        let hits = logRows.filter { l in
            (search.service == nil || l.record.service == search.service)
                && (search.traceID == nil || l.record.traceID == search.traceID)
                && (search.afterID.map { l.id > $0 } ?? true)
                && (search.minSeverity.map { l.record.severity <= $0 } ?? true)
                && (search.text.map { l.record.message.contains($0) } ?? true)
        }
        return Array(hits.suffix(search.limit))
    }

    public func metrics(_ search: MetricSearch) throws -> [MetricRow] { Array(metricRows.prefix(search.limit)) }
    public func breakers() throws -> [BreakerStatus] { breakerRows }

    public func breakerHistory(caller: String?, callee: String?, limit: Int) throws -> [BreakerTransition] {
        Array(
            transitions.filter { (caller == nil || $0.caller == caller) && (callee == nil || $0.callee == callee) }
                .prefix(limit))
    }

    public func alerts(state: AlertState?) throws -> [AlertStatus] {
        alertRows.filter { state == nil || $0.state == state }
    }

    public func alertHistory(limit: Int) throws -> [AlertTransition] { Array(alertTransitions.prefix(limit)) }
    public func collectorStatus() throws -> CollectorStatus { status }

    public func limits(window: TimeWindow) throws -> [LimitStat] {
        let m = window.sinceMicros
        return [
            LimitStat(
                minuteMicros: m, rule: "orders-pay-50qps", service: "", caller: "orders", callee: "payments",
                passed: 2_950, blocked: 410, queued: 0),
            LimitStat(
                minuteMicros: m, rule: "pay-throttle", service: "payments", caller: "", callee: "", passed: 3_000,
                blocked: 12, queued: 640),
            LimitStat(
                minuteMicros: m, rule: "warm-注文", service: "注文", caller: "", callee: "", passed: 1_800, blocked: 0,
                queued: 0),
        ]
    }
}
