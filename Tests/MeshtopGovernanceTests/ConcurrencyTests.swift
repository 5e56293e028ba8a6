import MeshtopModel
import Testing

@testable import MeshtopGovernance

/// In-flight requests per service from span start/end overlaps, worked by hand.
@Suite struct ConcurrencyTests {
    let s: Int64 = 1_000_000
    /// A minute boundary.
    let base: Int64 = 1_800_000_000_000_000

    func server(_ id: UInt64, _ service: String, from: Int64, to: Int64) -> Span {
        Span(
            traceID: TraceID(high: 7, low: id), spanID: SpanID(id), parentID: nil, service: service, name: "GET",
            kind: .server, startMicros: base + from * s, durationMicros: (to - from) * s, isError: false,
            status: .unset, peerService: nil, attributes: [])
    }

    /// api: A [0, 30), B [10, 20), C [15, 40), D [50, 70) seconds. Minute 0: 10 s at 0, 30 s at 1, 15 s at 2,
    /// 5 s at 3 → max 3, p99 3, p90 2, mean 1.25 = (30 + 10 + 25 + 10) s / 60 s (Little's law). Minute 1: 10 s at 1,
    /// 50 s at 0 → max 1, p99 1. Minute 2 has nothing in flight: no row.
    @Test func sweepGivesTheHandWorkedLevels() {
        let e = GovernanceEngine()
        // Arrival order is end order reversed: the sweep sorts.
        for x in [
            server(4, "api", from: 50, to: 70), server(3, "api", from: 15, to: 40), server(1, "api", from: 0, to: 30),
            server(2, "api", from: 10, to: 20),
        ] { e.ingest(span: x) }
        // Event time: watermark base + 70 s, swept to 10 s behind it (base + 60 s): minute 0 is complete.
        var out = e.tick(nowMicros: base + 70 * s)
        let m0 = out.serviceConcurrency.first { $0.minuteMicros == base }
        #expect(m0?.service == "api" && m0?.maxInFlight == 3 && m0?.p99InFlight == 3)
        let levels = InFlightLevels(decoding: m0?.levels ?? [])
        #expect(levels?.micros == [10 * s, 30 * s, 15 * s, 5 * s])
        #expect(levels?.percentile(90) == 2 && levels?.meanLevel == 1.25)
        // A live tick long after: the clock sweeps on, minute 1 closes, the service goes idle.
        out = e.tick(nowMicros: base + 200 * s, live: true)
        #expect(out.serviceConcurrency.map(\.minuteMicros) == [base + 60 * s])
        let m1 = out.serviceConcurrency[0]
        #expect(m1.maxInFlight == 1 && m1.p99InFlight == 1)
        #expect(InFlightLevels(decoding: m1.levels)?.micros == [50 * s, 10 * s])
        out = e.tick(nowMicros: base + 300 * s, live: true)
        #expect(out.serviceConcurrency.isEmpty)
        #expect(e.stats.lateInFlight == 0)
    }

    /// Requests are in flight over [start, end): back to back is one at a time, and CLIENT spans are not requests.
    @Test func backToBackIsOneInFlight() {
        let e = GovernanceEngine()
        for x in [server(1, "db", from: 0, to: 10), server(2, "db", from: 10, to: 20)] { e.ingest(span: x) }
        var client = server(3, "db", from: 5, to: 15)
        client.kind = .client
        e.ingest(span: client)
        let out = e.tick(nowMicros: base + 200 * s, live: true)
        #expect(out.serviceConcurrency.count == 1)
        #expect(out.serviceConcurrency.first?.maxInFlight == 1)
        #expect(InFlightLevels(decoding: out.serviceConcurrency[0].levels)?.micros == [40 * s, 20 * s])
    }

    /// A request arriving after the sweep passed its start counts from the sweep on; one that ended before it
    /// is not counted. Both are `lateInFlight`.
    @Test func lateRequestsCountFromTheSweep() {
        let e = GovernanceEngine()
        e.ingest(span: server(1, "api", from: 0, to: 40))
        _ = e.tick(nowMicros: base + 40 * s)  // swept to base + 30 s
        e.ingest(span: server(2, "api", from: 20, to: 50))  // in flight 20…50, swept from 30 on
        e.ingest(span: server(3, "api", from: 5, to: 25))  // ended before the sweep position
        let out = e.tick(nowMicros: base + 200 * s, live: true)
        let m0 = out.serviceConcurrency.first { $0.minuteMicros == base }
        // 0–30 at 1 (first tick), 30–40 at 2, 40–50 at 1, 50–60 at 0.
        #expect(InFlightLevels(decoding: m0?.levels ?? [])?.micros == [10 * s, 40 * s, 10 * s])
        #expect(m0?.maxInFlight == 2)
        #expect(e.stats.lateInFlight == 2)
    }

    @Test func levelsMergeAcrossMinutes() {
        var a = InFlightLevels()
        a.add(level: 0, micros: 50)
        a.add(level: 4, micros: 10)
        var b = InFlightLevels()
        b.add(level: 1, micros: 60)
        let merged = InFlightLevels(merging: [a.encode(), b.encode(), [9, 9]])
        #expect(merged.micros == [50, 60, 0, 0, 10])
        #expect(merged.maxLevel == 4 && merged.percentile(99) == 4 && merged.percentile(50) == 1)
        #expect(InFlightLevels(decoding: a.encode()) == a)
    }
}
