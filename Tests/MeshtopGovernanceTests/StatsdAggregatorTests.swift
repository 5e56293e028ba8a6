import MeshtopModel
import Testing

@testable import MeshtopGovernance

@Suite struct StatsdAggregatorTests {
    let s: Int64 = 1_000_000
    let t0: Int64 = 1_764_190_000_000_000  // a multiple of 10 s

    /// Feeds samples received inside [t0, t0 + 10 s) and flushes at t0 + 10 s.
    func flush(_ samples: [MetricSample]) -> [String: MetricRollup] {
        var a = StatsdAggregator()
        for (i, m) in samples.enumerated() { a.ingest(m, receivedAtMicros: t0 + Int64(i) * 1000) }
        #expect(a.drain(nowMicros: t0 + 10 * s - 1).isEmpty)
        var out: [String: MetricRollup] = [:]
        for r in a.drain(nowMicros: t0 + 10 * s) { out[r.name] = r }
        return out
    }

    /// statsd.txt: `checkout.orders` 1, 3|@0.5, 2, -1 → raw 5, scaled 1 + 6 + 2 − 1 = 8; rate 8 / 10 s.
    @Test func counterWithSampleRate() throws {
        let r = try #require(
            flush([
                MetricSample(name: "checkout.orders", type: .counter, value: 1),
                MetricSample(name: "checkout.orders", type: .counter, value: 3, sampleRate: 0.5),
                MetricSample(name: "checkout.orders", type: .counter, value: 2),
                MetricSample(name: "checkout.orders", type: .counter, value: -1, isDelta: true),
            ])["checkout.orders"])
        #expect(r.count == 8)
        #expect(r.rate == 0.8)
        #expect(r.timeMicros == t0 && r.intervalMicros == 10 * s)
        #expect(r.service == "checkout")
    }

    /// 12.5, 250, 7 → sorted 7, 12.5, 250: median 12.5; upper_90 = the round(0.9 × 3) = 3rd value = 250;
    /// std = √(((7 − μ)² + (12.5 − μ)² + (250 − μ)²) / 3) with μ = 89.8333… = 113.2771919…
    @Test func timer() throws {
        let r = try #require(
            flush([12.5, 250, 7].map { MetricSample(name: "checkout.latency", type: .timer, value: $0) })[
                "checkout.latency"])
        #expect(r.count == 3)
        #expect(r.min == 7 && r.max == 250 && r.sum == 269.5)
        #expect(abs(r.mean! - 89.833333333) < 1e-6)
        #expect(r.p50 == 12.5)
        #expect(r.p90 == 250 && r.p95 == 250 && r.p99 == 250)
        #expect(abs(r.std! - 113.27719197712408) < 1e-9)
        #expect(r.rate == 0.3)
    }

    /// statsd's percentile rule on 1…10 and the even-count median.
    @Test func timerPercentileRule() {
        var r = MetricRollup(timeMicros: 0, intervalMicros: 1, name: "x", type: .timer, tags: [], service: "x")
        StatsdSeries.fillTimer(&r, values: (1...10).map(Double.init).reversed())
        #expect(r.p50 == 5.5)  // (5 + 6) / 2
        #expect(r.p90 == 9)  // round(9) = 9th
        #expect(r.p95 == 10)  // round(9.5) = 10th (JavaScript rounds halves up)
        #expect(r.p99 == 10)
        #expect(StatsdSeries.upper([1, 2], 10) == nil)  // round(0.2) = 0 values: no upper_10
        #expect(StatsdSeries.upper([4], 10) == 4)
    }

    /// 42, +5, −3, 0, −7: set 42, +5 → 47, −3 → 44, set 0, −7 → −7.
    @Test func gaugeDeltas() throws {
        let g = { (v: Double, d: Bool) in MetricSample(name: "checkout.queue", type: .gauge, value: v, isDelta: d) }
        let r = try #require(
            flush([g(42, false), g(5, true), g(-3, true), g(0, false), g(-7, true)])["checkout.queue"])
        #expect(r.last == -7)
        // A signed first value is a set, since the gauge does not exist yet.
        #expect(flush([g(-4, true)])["checkout.queue"]?.last == -4)
    }

    @Test func setCountsDistinctMembers() {
        let m = { (v: String) in MetricSample(name: "checkout.users", type: .set, value: 0, setMember: v) }
        #expect(flush([m("alice"), m("bob"), m("alice")])["checkout.users"]?.unique == 2)
    }

    /// Tags are part of the identity; `|T` points are emitted at their own time, unaggregated.
    @Test func tagsAndTimestamps() {
        var a = StatsdAggregator()
        a.ingest(MetricSample(name: "c.x", type: .counter, value: 1, tags: ["env:a"]), receivedAtMicros: t0)
        a.ingest(MetricSample(name: "c.x", type: .counter, value: 2, tags: ["env:b"]), receivedAtMicros: t0)
        a.ingest(
            MetricSample(name: "c.x", type: .counter, value: 7, timestampMicros: 1_000 * s), receivedAtMicros: t0)
        let first = a.drain(nowMicros: t0 + 1)
        #expect(first.count == 1 && first[0].timeMicros == 1_000 * s && first[0].count == 7)
        let out = a.drain(nowMicros: t0 + 10 * s).sorted { $0.tags.joined() < $1.tags.joined() }
        #expect(out.map(\.count) == [1, 2])
        #expect(out.map(\.tags) == [["env:a"], ["env:b"]])
    }

    /// Idle counters are written as 0 (statsd's default) until idle for 5 minutes, then forgotten;
    /// gauges keep their value meanwhile.
    @Test func idleSeriesAreForgotten() {
        var a = StatsdAggregator()
        a.ingest(MetricSample(name: "c.n", type: .counter, value: 3), receivedAtMicros: t0)
        a.ingest(MetricSample(name: "c.g", type: .gauge, value: 9), receivedAtMicros: t0)
        var flushes: [[MetricRollup]] = []
        for k in 1...35 { flushes.append(a.drain(nowMicros: t0 + Int64(k) * 10 * s)) }
        #expect(flushes[0].first { $0.name == "c.n" }?.count == 3)
        #expect(flushes[1].first { $0.name == "c.n" }?.count == 0)
        #expect(flushes[1].first { $0.name == "c.g" }?.last == 9)
        // Last sample at t0; the flush ending t0 + 300 s is still written, the one ending t0 + 310 s is not.
        #expect(flushes[29].count == 2)
        #expect(flushes[30].isEmpty)
        #expect(a.seriesCount == 0)
    }

    /// Samples whose (name, type, tags) differ but whose series keys are equal (a tag holding a comma) share one
    /// series, and a series forgotten while idle starts again from zero when it comes back.
    @Test func seriesFollowTheirKeys() {
        var a = StatsdAggregator(intervalMicros: 10 * s, idleMicros: 20 * s)
        a.ingest(MetricSample(name: "k.n", type: .counter, value: 1, tags: ["a,b"]), receivedAtMicros: t0)
        a.ingest(MetricSample(name: "k.n", type: .counter, value: 2, tags: ["a", "b"]), receivedAtMicros: t0 + 1)
        a.ingest(MetricSample(name: "k.n", type: .gauge, value: 4, tags: ["a", "b"]), receivedAtMicros: t0 + 2)
        let first = a.drainKeyed(nowMicros: t0 + 10 * s)
        #expect(first.count == 2)
        #expect(first.first { $0.key == "k.n|c|a,b" }?.rollup.count == 3)
        #expect(first.first { $0.key == "k.n|g|a,b" }?.rollup.last == 4)
        #expect(a.seriesCount == 2)
        for k in 2...4 { _ = a.drain(nowMicros: t0 + Int64(k) * 10 * s) }
        #expect(a.seriesCount == 0)
        a.ingest(MetricSample(name: "k.n", type: .counter, value: 5, tags: ["a", "b"]), receivedAtMicros: t0 + 50 * s)
        let again = a.drain(nowMicros: t0 + 60 * s)
        #expect(again.map(\.count) == [5])
    }
}
