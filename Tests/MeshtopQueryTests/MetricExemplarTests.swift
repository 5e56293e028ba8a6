import MeshtopModel
import MeshtopQuery
import MeshtopStore
import Testing

/// Exemplar trace ids on metric rollups (migration `v8-metric-exemplars`): stored, aggregated over the window
/// (the latest 4), and shown by `query metrics` as JSON `exemplar_trace_ids`.
@Suite struct MetricExemplarTests {
    static func trace(_ n: UInt64) -> TraceID { TraceID(high: 0x4bf9_2f35_77b3_4da6, low: n) }

    @Test func storedAggregatedAndRendered() throws {
        let store = try MeshtopStore.inMemory()
        func rollup(_ minute: Int64, _ exemplars: [TraceID]) -> MetricRollup {
            var r = MetricRollup(
                timeMicros: minute * 60_000_000, intervalMicros: 10_000_000, name: "orders", type: .counter,
                tags: ["service:checkout"], service: "checkout", count: 5)
            r.exemplarTraceIDs = exemplars
            return r
        }
        var plain = rollup(1, [])
        plain.name = "plain"
        try store.write(
            WriteBatch(metricRollups: [
                rollup(1, [Self.trace(1), Self.trace(2)]), rollup(2, []), rollup(3, [Self.trace(2), Self.trace(3)]),
                rollup(4, [Self.trace(4), Self.trace(5)]), plain,
            ]))
        let window = TimeWindow(sinceMicros: 0, untilMicros: 10 * 60_000_000)
        let flushes = try store.metricFlushes(MetricSearch(window: window, nameGlob: "orders"))
        #expect(flushes.map(\.exemplarTraceIDs.count) == [2, 0, 2, 2])
        let rows = try MeshtopQueries(reader: store).metrics(MetricSearch(window: window))
        let orders = try #require(rows.first { $0.name == "orders" })
        #expect(orders.exemplarTraceIDs == [2, 3, 4, 5].map(Self.trace))
        #expect(orders.count == 20)
        let json = JSONRenderer.encode(.list(Records.metrics(rows).records.map { .object($0.fields) }))
        #expect(json.contains(#""exemplar_trace_ids":["4bf92f3577b34da60000000000000002","#))
        let plainRecords = Records.metrics(rows.filter { $0.name == "plain" }).records
        #expect(plainRecords.count == 1)
        #expect(plainRecords.allSatisfy { !JSONRenderer.encode(.object($0.fields)).contains("exemplar") })
        let table = OutputRenderer.render(Records.metrics(rows), as: .table)
        #expect(!table.contains("4bf92f"))
    }
}
