extension Scenario {
    /// Which services send over which transport, for the demo's narration and summary: one line per signal,
    /// e.g. `spans: jaeger (auth, orders), otlp-grpc (notifications), otlp-http (bank-api, cart, shipping), …`.
    public var transportLines: [String] {
        let table = services.keys.sorted().map { ($0, Simulator.transport(of: $0, in: self)) }
        func line(_ signal: String, _ name: (ServiceTransport) -> String) -> String {
            var groups: [String: [String]] = [:]
            for (service, t) in table { groups[name(t), default: []].append(service) }
            let parts = groups.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value.joined(separator: ", ")))" }
            return "\(signal): " + parts.joined(separator: ", ")
        }
        return [
            line("spans", { $0.spans.rawValue }), line("logs", { $0.logs.rawValue }),
            line("metrics", { $0.metrics.rawValue }),
        ]
    }
}
