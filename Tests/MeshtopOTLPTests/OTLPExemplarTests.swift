import MeshtopGovernance
import MeshtopModel
import MeshtopOTLP
import Testing

/// OTLP exemplars (issue 10): their trace ids ride on the sample and on the interval's rollup.
@Suite struct OTLPExemplarTests {
    /// `otlp-metrics.json`: the `orders` point carries one exemplar of trace `4bf92f…`.
    @Test func exemplarTraceIDsAreKeptOnTheSampleAndTheRollup() throws {
        let decoded = try Fixture.decode(.metrics, "otlp-metrics.json", encoding: .json)
        let metrics = decoded.records.compactMap(\.metric)
        #expect(metrics.map(\.exemplarTraceIDs) == [[Fixture.traceID], [], []])
        let engine = GovernanceEngine()
        for m in metrics { engine.ingest(metric: m, receivedAtMicros: 0) }
        let rollups = engine.tick(nowMicros: 20_000_000).metricRollups
        #expect(rollups.first { $0.name == "orders" }?.exemplarTraceIDs == [Fixture.traceID])
        #expect(rollups.first { $0.name == "queue.depth" }?.exemplarTraceIDs == [])
    }

    /// An exemplar with a wrong-length or all-zero trace id is left out; repeats count once.
    @Test func invalidAndRepeatedExemplarsAreLeftOut() throws {
        let body = #"""
            {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},
             "scopeMetrics":[{"metrics":[{"name":"hits","gauge":{"dataPoints":[{"timeUnixNano":"2","asDouble":1,
               "exemplars":[{"asDouble":1,"traceId":"00000000000000000000000000000000"},
                            {"asDouble":1,"traceId":"0af7651916cd43dd"},
                            {"asDouble":1,"traceId":"0af7651916cd43dd8448eb211c80319c"},
                            {"asDouble":2,"traceId":"0AF7651916CD43DD8448EB211C80319C"}]}]}}]}]}]}
            """#
        var c = CumulativeToDelta()
        let decoded = try OTLPRequestDecoder.decode(
            .metrics, body: Array(body.utf8), encoding: .json, receivedAtMicros: 0, cumulative: &c)
        let m = try #require(decoded.records.first?.metric)
        #expect(m.exemplarTraceIDs == [TraceID(hex: "0af7651916cd43dd8448eb211c80319c")!])
    }
}
