import MeshtopModel
import MeshtopQuery

/// The rows each view shows after sorting and filtering, shared by `update` (counts, drill-in targets) and the
/// views (drawing), so both always agree.
extension ConsoleState {
    /// `items` whose `fields` contain the tab's `/` filter (case-insensitive); all of them, without building
    /// any field, when there is no filter.
    func filtered<T>(_ tab: Tab, _ items: [T], _ fields: (T) -> [String]) -> [T] {
        guard let f = filters[tab], !f.isEmpty else { return items }
        let needle = f.lowercased()
        return items.filter { item in fields(item).contains { $0.lowercased().contains(needle) } }
    }

    public var visibleServices: [ServiceRow] {
        filtered(.services, services) { [$0.service, $0.health.rawValue] }.sorted { a, b in
            let c = compare(a, b)
            if c == 0 { return a.service < b.service }
            return sortDescending ? c > 0 : c < 0
        }
    }

    private func compare(_ a: ServiceRow, _ b: ServiceRow) -> Int {
        func cmp<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x > y ? 1 : 0) }
        switch serviceSort {
        case .name: return cmp(a.service, b.service)
        case .requests: return cmp(a.requests, b.requests)
        case .errorRate: return cmp(a.errorRate, b.errorRate)
        case .rps: return cmp(a.rps, b.rps)
        case .p50: return cmp(a.p50Ms, b.p50Ms)
        case .p99: return cmp(a.p99Ms, b.p99Ms)
        case .apdex: return cmp(a.apdex ?? 2, b.apdex ?? 2)
        case .health: return cmp(Self.healthRank(a.health), Self.healthRank(b.health))
        }
    }

    static func healthRank(_ h: HealthState) -> Int {
        switch h {
        case .idle: return 0
        case .healthy: return 1
        case .degraded: return 2
        case .failing: return 3
        }
    }

    public var visibleEdges: [EdgeRow] {
        filtered(.topology, topology?.edges ?? []) { [$0.caller, $0.callee] }
    }

    public var visibleTraces: [TraceSummary] {
        filtered(.traces, traces) { t in
            [t.rootService, t.rootOperation, t.traceID.hex, t.services.joined(separator: " ")]
        }
    }

    public var visibleLogs: [LogRow] {
        filtered(.logs, logs) { l in [l.record.message, l.record.service, l.record.host, l.record.severity.name] }
    }

    public var visibleMetrics: [MetricRow] {
        let rows = traceFilter.service.map { svc in metrics.filter { $0.service == svc } } ?? metrics
        return filtered(.metrics, rows) { m in [m.name, m.service, m.tags.joined(separator: ","), m.type.rawValue] }
    }

    public var visibleBreakers: [BreakerStatus] {
        filtered(.breakers, breakers) { [$0.caller, $0.callee, $0.state.rawValue] }
    }

    public var visibleLimits: [LimitStat] {
        filtered(.limits, limits) { [$0.rule, $0.service, $0.caller, $0.callee] }
    }

    static func breakerRank(_ s: BreakerState) -> Int {
        switch s {
        case .open: return 0
        case .halfOpen: return 1
        case .other: return 2
        case .closed: return 3
        }
    }

    public var visibleAlerts: [AlertStatus] {
        filtered(.alerts, alerts) { a in [a.rule, a.severity, a.summary, a.state.rawValue, a.fingerprint] }
    }

    static func alertRank(_ s: AlertState) -> Int {
        switch s {
        case .firing: return 0
        case .pending: return 1
        case .resolved: return 2
        case .inactive: return 3
        }
    }

    /// Spans of the open trace in tree order, with their depth.
    public var waterfallRows: [WaterfallRow] {
        guard let spans = trace?.detail?.spans else { return [] }
        return WaterfallRow.tree(spans)
    }

    /// Number of selectable rows on a tab.
    public func rowCount(_ t: Tab) -> Int {
        switch t {
        case .services: return visibleServices.count
        case .topology: return visibleEdges.count
        case .traces: return trace != nil ? waterfallRows.count : visibleTraces.count
        case .logs: return visibleLogs.count
        case .metrics: return visibleMetrics.count
        case .breakers: return visibleBreakers.count
        case .alerts: return visibleAlerts.count
        case .limits: return visibleLimits.count
        }
    }

    /// Rows of the scrolling list on a page (the rest of the body holds headers and detail panes).
    public func listHeight(_ p: Page) -> Int {
        let body = bodyRows
        switch p {
        case .trace: return max(1, (body - 2) * 11 / 20)
        case .tab(.services), .tab(.logs), .tab(.metrics), .tab(.limits): return max(1, body - 1)
        case .tab(.traces): return max(1, body - 2)
        case .tab(.topology): return max(1, body - 2)
        case .tab(.breakers): return max(1, body / 2 - 1)
        case .tab(.alerts): return max(1, body * 3 / 5 - 1)
        }
    }
}
