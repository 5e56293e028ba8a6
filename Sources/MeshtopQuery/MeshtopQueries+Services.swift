import MeshtopGovernance
import MeshtopModel
import MeshtopStore

extension MeshtopQueries {
    /// Rollups are per minute; a window covers the minutes that start in `[since floored to the minute, until)`.
    static let minuteMicros: Int64 = 60_000_000
    /// Services seen this long before the window and idle in it are listed as `idle`.
    static let idleLookbackMicros: Int64 = 3_600_000_000
    /// At most this many points per sparkline series.
    static let maxSeriesBuckets = 60

    /// RED per service over `window`, merging the per-minute rollups (histograms merged, never percentiles
    /// averaged). Health uses the thresholds the collector runs (`health_thresholds`; SPEC §4 defaults when none
    /// are stored), or `whatIf`'s, and fails a service with an open inbound breaker.
    public func services(window: TimeWindow, whatIf: RuleSet?) throws -> [ServiceRow] {
        let first = Self.floorMinute(window.sinceMicros)
        let read = try reader.serviceWindow(
            fromMinute: first, until: window.untilMicros, knownSince: first - Self.idleLookbackMicros)
        let (rollups, known, openCallees) = (read.rollups, read.known, read.openInboundBreakers)
        let judge = HealthJudge(stored: read.healthThresholds, whatIf: whatIf)
        let byService = Dictionary(grouping: rollups, by: \.service)
        let inFlight = Dictionary(grouping: read.concurrency, by: \.service)
        let buckets = Self.buckets(from: first, until: window.untilMicros)
        return Set(known).union(byService.keys).sorted().map { service in
            let own = byService[service] ?? []
            let windowMicros = window.untilMicros - window.sinceMicros
            let red = REDSummary.merge(rollups: own, windowMicros: windowMicros)
            var rates: [Double] = []
            var p99s: [Double] = []
            if !own.isEmpty {
                let grouped = Dictionary(grouping: own) { buckets.index(of: $0.minuteMicros) }
                for b in 0..<buckets.count {
                    guard let part = grouped[b] else {
                        rates.append(0)
                        p99s.append(0)
                        continue
                    }
                    let red = REDSummary.merge(rollups: part, windowMicros: buckets.width)
                    rates.append(red.rps)
                    p99s.append(red.p99Ms)
                }
            }
            let (apdex, health) = judge.judge(
                red, service: service, inboundBreakerOpen: openCallees.contains(service))
            // In flight: the minutes' time-at-level merged, so max and p99 are the window's own.
            let levels = inFlight[service].map { InFlightLevels(merging: $0.map(\.levels)) }
            return ServiceRow(
                service: service, requests: red.requests, errors: red.errors, errorRate: red.errorRate / 100,
                rps: red.rps, p50Ms: red.p50Ms, p90Ms: red.p90Ms, p99Ms: red.p99Ms, maxMs: red.maxMs,
                apdex: apdex, health: health, rateSeries: rates, p99Series: p99s, inflightMax: levels?.maxLevel,
                inflightP99: levels?.percentile(99), inflightMean: levels?.meanLevel)
        }
    }

    /// Edges merged over `window`, each with its simulated breaker's state, and every service as a node (health
    /// as in `services(window:whatIf:)`).
    public func topology(window: TimeWindow, whatIf: RuleSet?) throws -> Topology {
        let first = Self.floorMinute(window.sinceMicros)
        let read = try reader.edgeWindow(fromMinute: first, until: window.untilMicros)
        let rollups = read.rollups
        let windowMicros = window.untilMicros - window.sinceMicros
        let grouped = Dictionary(grouping: rollups) { Self.edgeKey($0.caller, $0.callee) }
        let edges = grouped.keys.sorted().compactMap { key -> EdgeRow? in
            guard let part = grouped[key], let any = part.first else { return nil }
            let red = REDSummary.merge(edgeRollups: part, windowMicros: windowMicros)
            return EdgeRow(
                caller: any.caller, callee: any.callee, calls: red.requests, errors: red.errors,
                errorRate: red.errorRate / 100, rps: red.rps, p50Ms: red.p50Ms, p99Ms: red.p99Ms,
                breaker: read.simulatedBreakers[EdgeKey(any.caller, any.callee)])
        }
        var nodes: [String: HealthState] = [:]
        for s in try services(window: window, whatIf: whatIf) { nodes[s.service] = s.health }
        for e in edges {
            for name in [e.caller, e.callee] where nodes[name] == nil { nodes[name] = .idle }
        }
        return Topology(
            nodes: nodes.keys.sorted().map { TopologyNode(service: $0, health: nodes[$0] ?? .idle) }, edges: edges)
    }

    static func floorMinute(_ micros: Int64) -> Int64 {
        let r = micros % minuteMicros
        return r >= 0 ? micros - r : micros - r - minuteMicros
    }

    static func edgeKey(_ caller: String, _ callee: String) -> String { caller + "\u{0}" + callee }

    /// Equal-width sparkline buckets of whole minutes across a window.
    struct Buckets {
        var start: Int64
        var width: Int64
        var count: Int

        func index(of minute: Int64) -> Int { Swift.min(Swift.max(Int((minute - start) / width), 0), count - 1) }
    }

    static func buckets(from first: Int64, until: Int64) -> Buckets {
        let minutes = Swift.max(Int((until - first + minuteMicros - 1) / minuteMicros), 1)
        let perBucket = (minutes + maxSeriesBuckets - 1) / maxSeriesBuckets
        let count = (minutes + perBucket - 1) / perBucket
        return Buckets(start: first, width: Int64(perBucket) * minuteMicros, count: count)
    }
}
