import MeshtopGovernance
import MeshtopModel
import MeshtopOTLP
import Testing

@Suite struct OTLPMetricTests {
    static let exports = ["otlp-metrics-1.pb", "otlp-metrics-2.pb", "otlp-metrics-3.pb"]

    /// The SDK's three cumulative exports (the third, at shutdown, repeats the second) decoded with one
    /// `CumulativeToDelta`.
    static func decodedExports() throws -> [[MetricSample]] {
        var cumulative = CumulativeToDelta()
        return try exports.map { name in
            let d = try OTLPRequestDecoder.decode(
                .metrics, body: Fixture.bytes(name), encoding: .protobuf, receivedAtMicros: 0,
                cumulative: &cumulative)
            #expect(d.rejected == 0)
            return d.records.compactMap(\.metric)
        }
    }

    @Test func counterDeltasCountARepeatOnce() throws {
        let orders = try Self.decodedExports().map { $0.filter { $0.name == "orders" } }
        #expect(orders.map { $0.map(\.value) } == [[5], [3], [0]])
        let first = try #require(orders[0].first)
        #expect(first.type == .counter)
        #expect(first.service == "checkout")
        #expect(first.tags == ["method:card", "region:eu", "service:checkout"])
    }

    @Test func histogramDeltas() throws {
        let latency = try Self.decodedExports().map { $0.filter { $0.name == "checkout.latency" } }
        let d = try latency.map { try #require($0.first?.distribution) }
        #expect(d.map(\.count) == [3, 1, 0])
        #expect(d.map(\.sum) == [40, 120, 0])
        #expect(d[0].min == 3)
        #expect(d[0].max == 30)
        #expect(d[0].buckets.map(\.count) == [1, 1, 1])
        #expect(d[0].buckets.map(\.upper) == [5, 10, 50])
        // The delta holds only 120: its max is the new lifetime max, its min the bucket's lower bound.
        #expect(d[1].buckets == [MetricDistribution.Bucket(lower: 100, upper: 250, count: 1)])
        #expect(d[1].min == 100)
        #expect(d[1].max == 120)
        #expect(latency[0].first?.tags == ["route:/pay", "service:checkout"])
        #expect(latency[0].first?.type == .distribution)
    }

    @Test func gaugesAndUpDownCounters() throws {
        let exports = try Self.decodedExports()
        #expect(exports.map { $0.first { $0.name == "inflight" }?.value } == [4, 3, 3])
        #expect(exports.map { $0.first { $0.name == "inflight" }?.type } == [.gauge, .gauge, .gauge])
        #expect(exports.map { $0.first { $0.name == "cpu.temperature" }?.value } == [61.5, 63, 63])
    }

    @Test func exponentialHistogram() throws {
        let sizes = try Self.decodedExports().map { $0.first { $0.name == "payment.size" }?.distribution }
        #expect(sizes.map { $0?.count } == [3, 1, 0])
        #expect(sizes.map { $0?.sum } == [7, 8, 0])
        #expect(sizes[0]?.min == 1)
        #expect(sizes[0]?.max == 4)
        // Each bucket of the first export holds one of 1, 2, 4: (base^i, base^(i+1)] around each.
        let buckets = try #require(sizes[0]?.buckets)
        #expect(buckets.count == 3)
        for (b, v) in zip(buckets, [1.0, 2, 4]) {
            #expect(b.lower < v && v <= b.upper * (1 + 1e-9))
        }
    }

    /// End to end through the governance engine: the three exports arrive within one StatsD flush interval.
    @Test func rollupsGiveExactTotals() throws {
        let engine = GovernanceEngine()
        for (i, samples) in try Self.decodedExports().enumerated() {
            for s in samples { engine.ingest(metric: s, receivedAtMicros: 1_000_000 + Int64(i)) }
        }
        let rollups = engine.tick(nowMicros: 60_000_000).metricRollups
        let orders = try #require(rollups.first { $0.name == "orders" })
        #expect(orders.count == 8)
        #expect(orders.type == .counter)
        let latency = try #require(rollups.first { $0.name == "checkout.latency" })
        #expect(latency.type == .distribution)
        #expect(latency.count == 4)
        #expect(latency.sum == 160)
        #expect(latency.mean == 40)
        #expect(latency.min == 3)
        #expect(latency.max == 120)
        // Ranges (3,5] (5,10] (25,30] (100,120], one value each: rank q·4, interpolated within its range.
        #expect(latency.p50 == 10)
        #expect(abs((latency.p90 ?? 0) - 112) < 1e-9)
        #expect(abs((latency.p95 ?? 0) - 116) < 1e-9)
        #expect(abs((latency.p99 ?? 0) - 119.2) < 1e-9)
        let size = try #require(rollups.first { $0.name == "payment.size" })
        #expect(size.count == 4)
        #expect(size.sum == 15)
        #expect(size.min == 1)
        #expect(size.max == 8)
        #expect(rollups.first { $0.name == "inflight" }?.last == 3)
        #expect(rollups.first { $0.name == "cpu.temperature" }?.last == 63)
    }

    /// The hand-written OTLP/JSON metrics: enums as a name and a number, 64-bit integers as strings, an exemplar.
    @Test func jsonMetrics() throws {
        let decoded = try Fixture.decode(.metrics, "otlp-metrics.json", encoding: .json)
        #expect(decoded.rejected == 0)
        let m = decoded.records.compactMap(\.metric)
        #expect(m.map(\.name) == ["orders", "checkout.latency", "queue.depth"])
        #expect(m[0].type == .counter)
        #expect(m[0].value == 5)
        #expect(m[1].distribution?.count == 3)
        #expect(m[1].distribution?.buckets.map(\.upper) == [5, 10, .infinity])
        #expect(m[2].type == .gauge)
        #expect(m[2].value == 7.5)
        #expect(m[2].tags == ["service:checkout"])
    }

    @Test func summaryQuantilesBecomePercentiles() throws {
        let body = #"""
            {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},
             "scopeMetrics":[{"metrics":[{"name":"rpc.duration","summary":{"dataPoints":[{
               "startTimeUnixNano":"1","timeUnixNano":"2","count":"10","sum":55,
               "quantileValues":[{"quantile":0,"value":1},{"quantile":0.5,"value":5},{"quantile":0.9,"value":9},
                                 {"quantile":0.99,"value":9.9},{"quantile":1,"value":10}]}]}}]}]}]}
            """#
        var c = CumulativeToDelta()
        let decoded = try OTLPRequestDecoder.decode(
            .metrics, body: Array(body.utf8), encoding: .json, receivedAtMicros: 0, cumulative: &c)
        let engine = GovernanceEngine()
        for r in decoded.records { engine.ingest(metric: try #require(r.metric), receivedAtMicros: 0) }
        let r = try #require(engine.tick(nowMicros: 20_000_000).metricRollups.first)
        #expect(r.count == 10)
        #expect(r.sum == 55)
        #expect(r.min == 1)
        #expect(r.max == 10)
        #expect(abs((r.p50 ?? 0) - 5) < 1e-9)
        #expect(abs((r.p90 ?? 0) - 9) < 1e-9)
        #expect(abs((r.p99 ?? 0) - 9.9) < 1e-9)
        #expect(r.tags == ["service:api"])
    }

    /// Delta temporality: counters as sent, an up-down counter's changes applied to the gauge.
    @Test func deltaTemporality() throws {
        func body(_ v: Int) -> [UInt8] {
            Array(
                #"""
                {"resourceMetrics":[{"scopeMetrics":[{"metrics":[
                  {"name":"hits","sum":{"aggregationTemporality":1,"isMonotonic":true,
                   "dataPoints":[{"asInt":"\#(v)"}]}},
                  {"name":"pool","sum":{"aggregationTemporality":1,"isMonotonic":false,
                   "dataPoints":[{"asInt":"\#(v)"}]}}]}]}]}
                """#.utf8)
        }
        var c = CumulativeToDelta()
        let engine = GovernanceEngine()
        for v in [4, -1, 2] {
            let d = try OTLPRequestDecoder.decode(
                .metrics, body: body(v), encoding: .json, receivedAtMicros: 0, cumulative: &c)
            for r in d.records { engine.ingest(metric: try #require(r.metric), receivedAtMicros: 0) }
            if v < 0 { #expect(d.rejectReasons == [.invalidMetricPoint: 1]) }
        }
        let rollups = engine.tick(nowMicros: 20_000_000).metricRollups
        #expect(rollups.first { $0.name == "hits" }?.count == 6)
        #expect(rollups.first { $0.name == "pool" }?.last == 5)
        #expect(c.seriesCount == 0)
    }
}
