import MeshtopGovernance
import MeshtopModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `meshtop bench governance`: times span/metric ingest and `tick` on a synthetic mesh.
public enum GovernanceBenchmark {
    /// Builds a mesh of `services` services and `edges` edges, feeds `calls` client/server span pairs spread over
    /// one minute of event time plus one sample per StatsD series per 10 s flush, and times ingest and ticks.
    /// Each timed tick follows a round in which every service, edge and series changed.
    public static func run(
        services: Int = 200, edges: Int = 1000, metricSeries: Int = 10_000, calls: Int = 200_000, rounds: Int = 6
    ) -> String {
        let clock = ContinuousClock()
        let rules = try? RuleSet.parse(
            yaml: """
                rules:
                  - {name: Errors, signal: error_rate, op: ">", threshold: 5, for: 30s}
                  - {name: Slow, signal: p99_ms, op: ">", threshold: 80}
                  - {name: EdgeErrors, signal: error_rate, scope: {caller: "*"}, op: ">", threshold: 20}
                  - {name: Open, signal: breaker_open, op: "==", threshold: 1}
                  - {name: Queue, signal: "metric:bench.m1*", aggregation: max, op: ">", threshold: 900}
                  - {name: Blocked, signal: blocked_rate, op: ">", threshold: 10}
                limits:
                  - {name: edge-qps, caller: "*", callee: "*", qps: 50}
                  - {name: edge-warm, caller: "*", callee: "*", qps: 50, behavior: warm_up}
                  - {name: svc-throttle, match: "*", qps: 200, behavior: throttle}
                """)
        let engine = GovernanceEngine(rules: rules ?? .empty)
        let names = (0..<services).map { "svc-\($0)" }
        let pairs: [(String, String)] = (0..<edges).map { i in
            let a = i % services
            let b = (a + 1 + (i / services) * 7 % (services - 1)) % services
            return (names[a], names[b == a ? (a + 1) % services : b])
        }
        let samples: [MetricSample] = (0..<metricSeries).map { i in
            let type: MetricType = i % 3 == 0 ? .counter : i % 3 == 1 ? .timer : .gauge
            return MetricSample(name: "bench.m\(i)", type: type, value: Double(i % 1000), tags: ["env:bench"])
        }
        let start: Int64 = 1_800_000_000_000_000
        let minute: Int64 = 60_000_000
        var spans: [Span] = []
        spans.reserveCapacity(calls * 2)
        var rng: UInt64 = 1
        for i in 0..<calls {
            rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let (caller, callee) = pairs[i % pairs.count]
            let end = start + Int64(i) * minute / Int64(calls)
            let d = Int64(rng >> 44) % 200_000 + 500
            let trace = TraceID(high: 1, low: UInt64(i))
            let failed = rng >> 60 == 0
            spans.append(
                Span(
                    traceID: trace, spanID: SpanID(2), parentID: SpanID(1), service: callee, name: "serve",
                    kind: .server, startMicros: end - d + 100, durationMicros: d - 200, isError: failed))
            spans.append(
                Span(
                    traceID: trace, spanID: SpanID(1), parentID: nil, service: caller, name: "call", kind: .client,
                    startMicros: end - d, durationMicros: d, isError: failed, peerService: callee))
        }
        var ingestSpans = CPUTime()
        var ingestMetrics = CPUTime()
        var ticks: [CPUTime] = []
        var last = GovernanceOutput()
        let perRound = spans.count / rounds
        for r in 0..<rounds {
            let chunk = spans[(r * perRound)..<min(spans.count, (r + 1) * perRound)]
            let now = start + Int64(r + 1) * minute / Int64(rounds)
            ingestSpans += CPUTime.measure(clock) { for s in chunk { engine.ingest(span: s) } }
            ingestMetrics += CPUTime.measure(clock) {
                for m in samples { engine.ingest(metric: m, receivedAtMicros: now - 1) }
            }
            ticks.append(CPUTime.measure(clock) { last = engine.tick(nowMicros: now) })
        }
        let st = engine.stats
        let sorted = ticks.sorted { $0.cpuMicros < $1.cpuMicros }
        let spanNs = ingestSpans.cpuMicros * 1000 / Double(perRound * rounds)
        let metricNs = ingestMetrics.cpuMicros * 1000 / Double(metricSeries * rounds)
        let median = sorted[sorted.count / 2]
        return """
            governance benchmark: \(services) services, \(edges) edges, \(metricSeries) metric series, \
            \(perRound * rounds) spans over 1 minute in \(rounds) rounds (times are thread CPU time; wall in brackets)
            ingest span:   \(fmt(spanNs)) ns/span (\(fmt(1e9 / spanNs)) spans/s per core) \
            [wall \(fmt(ingestSpans.wallMicros * 1000 / Double(perRound * rounds))) ns]
            ingest metric: \(fmt(metricNs)) ns/sample (\(fmt(1e9 / metricNs)) samples/s per core) \
            [wall \(fmt(ingestMetrics.wallMicros * 1000 / Double(metricSeries * rounds))) ns]
            tick:          median \(fmt(median.cpuMicros / 1000)) ms, max \(fmt(sorted.last!.cpuMicros / 1000)) ms \
            [wall median \(fmt(median.wallMicros / 1000)) ms] \
            (last tick: \(last.serviceRollups.count) service rollups, \(last.edgeRollups.count) edge rollups, \
            \(last.metricRollups.count) metric rollups, \(last.breakers.count) breaker statuses, \
            \(last.alerts?.count ?? 0) alerts)
            buffers:       \(st.trace.bufferedSpans) spans buffered, \(st.trace.evictedSpans) evicted, \
            \(st.pendingCalls) calls pending, \(st.breakers) breakers
            """
    }

    /// CPU time of this thread and wall time of one measured block.
    struct CPUTime {
        var cpuMicros: Double = 0
        var wallMicros: Double = 0

        static func += (a: inout CPUTime, b: CPUTime) {
            a.cpuMicros += b.cpuMicros
            a.wallMicros += b.wallMicros
        }

        static func measure(_ clock: ContinuousClock, _ body: () -> Void) -> CPUTime {
            let c0 = threadCPUMicros()
            let d = clock.measure(body)
            let wall = Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12
            return CPUTime(cpuMicros: threadCPUMicros() - c0, wallMicros: wall)
        }

        static func threadCPUMicros() -> Double { Double(SystemClock.threadCPUMicros()) }
    }

    static func fmt(_ v: Double) -> String {
        if v >= 100 { return String(Int64(v.rounded())) }
        return String((v * 100).rounded() / 100)
    }
}
