/// The eight views, in tab order (number keys 1–8).
public enum Tab: Int, CaseIterable, Sendable, Hashable {
    case services, topology, traces, logs, metrics, breakers, alerts, limits

    public var title: String {
        switch self {
        case .services: return "Services"
        case .topology: return "Topology"
        case .traces: return "Traces"
        case .logs: return "Logs"
        case .metrics: return "Metrics"
        case .breakers: return "Breakers"
        case .alerts: return "Alerts"
        case .limits: return "Limits"
        }
    }

    public var next: Tab { Tab(rawValue: (rawValue + 1) % Tab.allCases.count) ?? .services }
    public var previous: Tab {
        Tab(rawValue: (rawValue + Tab.allCases.count - 1) % Tab.allCases.count) ?? .services
    }
}
