import MeshtopModel
import Testing

@testable import MeshtopGovernance

/// A call's two spans on two collectors (docs/scaling.md, "Edges across collectors"): each engine records the
/// spans whose parent it never saw, and `JoinedEdges` rolls up the calls the leader joins from them.
@Suite struct UnmatchedChildrenTests {
    static let trace = TraceID(high: 7, low: 9)
    static let t0: Int64 = 1_795_733_245_000_000

    static func span(_ service: String, _ kind: SpanKind, _ id: UInt64, _ parent: UInt64?, end: Int64) -> Span {
        Span(
            traceID: trace, spanID: SpanID(id), parentID: parent.map(SpanID.init), service: service, name: "x",
            kind: kind, startMicros: t0 + end - 1000, durationMicros: 1000, isError: false, status: .unset,
            peerService: nil, attributes: [])
    }

    /// gateway (1, server) → gateway client (2) → orders (3, server) → orders client (4) → payments (5, server).
    static let spans = [
        span("payments", .server, 5, 4, end: 100), span("orders", .client, 4, 3, end: 200),
        span("orders", .server, 3, 2, end: 300), span("gateway", .client, 2, 1, end: 400),
        span("gateway", .server, 1, nil, end: 500),
    ]

    func unmatched(_ spans: [Span], records: Bool = true) -> [UnmatchedChild] {
        let e = GovernanceEngine()
        e.recordsUnmatchedChildren = records
        for s in spans { e.ingest(span: s) }
        // The parent wait (30 s) ends on the live clock.
        let out = e.tick(nowMicros: Self.t0 + 60_000_000, live: true)
        return out.unmatchedChildren.sorted { $0.endMicros < $1.endMicros }
    }

    @Test func childrenWhoseParentWentElsewhere() {
        let s = Self.spans
        // Collector B got orders' server span and payments': both parents went to A.
        let b = unmatched([s[0], s[2]])
        #expect(b.map(\.service) == ["payments", "orders"])
        #expect(b.map(\.parentID) == [SpanID(4), SpanID(2)])
        #expect(b.map(\.kind) == [.server, .server])
        #expect(b.allSatisfy { $0.traceID == Self.trace && $0.durationMicros == 1000 })
        #expect(b.map(\.endMicros) == [Self.t0 + 100, Self.t0 + 300])
        // Collector A: the orders client span's parent (3) went to B; the root has no parent to miss.
        #expect(unmatched([s[1], s[3], s[4]]).map(\.parentID) == [SpanID(3)])
    }

    @Test func nothingWhenEveryParentCame() {
        #expect(unmatched(Self.spans).isEmpty)
        #expect(unmatched(Self.spans.reversed()).isEmpty)
    }

    @Test func nothingUnlessAsked() {
        #expect(unmatched([Self.spans[0], Self.spans[2]], records: false).isEmpty)
    }

    /// Not before the parent wait has passed: the parent may still come.
    @Test func waitsForTheParent() {
        let e = GovernanceEngine()
        e.recordsUnmatchedChildren = true
        e.ingest(span: Self.spans[0])
        #expect(e.tick(nowMicros: Self.t0 + 10_000_000, live: true).unmatchedChildren.isEmpty)
        #expect(e.tick(nowMicros: Self.t0 + 40_000_000, live: true).unmatchedChildren.count == 1)
        #expect(e.tick(nowMicros: Self.t0 + 50_000_000, live: true).unmatchedChildren.isEmpty)
    }

    /// The collector turns recording off when no other collector writes the store: what was recorded goes too.
    @Test func turnedOffForgetsWhatWasRecorded() {
        let e = GovernanceEngine()
        e.recordsUnmatchedChildren = true
        e.ingest(span: Self.spans[0])
        // Resolved by the wait buffer's expiry on the next tick; turned off first, nothing comes out.
        e.recordsUnmatchedChildren = false
        #expect(e.tick(nowMicros: Self.t0 + 60_000_000, live: true).unmatchedChildren.isEmpty)
        e.recordsUnmatchedChildren = true
        e.ingest(span: Self.spans[2])
        #expect(e.tick(nowMicros: Self.t0 + 120_000_000, live: true).unmatchedChildren.map(\.parentID) == [SpanID(2)])
    }

    @Test func joinedCallsRollUpPerEdgeAndMinute() {
        let m = Self.t0 / 60_000_000 * 60_000_000
        let calls = [
            JoinedCall(caller: "a", callee: "b", endMicros: m + 1, durationMicros: 2000, failed: false),
            JoinedCall(caller: "a", callee: "b", endMicros: m + 59_000_000, durationMicros: 5000, failed: true),
            JoinedCall(caller: "a", callee: "b", endMicros: m + 60_000_000, durationMicros: 1000, failed: false),
            JoinedCall(caller: "b", callee: "c", endMicros: m + 2, durationMicros: 700, failed: false),
        ]
        let r = JoinedEdges.rollups(calls)
        #expect(r.map { "\($0.caller)->\($0.callee)@\($0.minuteMicros - m)" } == ["a->b@0", "b->c@0", "a->b@60000000"])
        #expect(r.map(\.calls) == [2, 1, 1])
        #expect(r.map(\.errors) == [1, 0, 0])
        #expect(r.map(\.sumMicros) == [7000, 700, 1000])
        #expect(r.map(\.maxMicros) == [5000, 700, 1000])
        let merged = REDSummary.merge(edgeRollups: [r[0], r[2]], windowMicros: 120_000_000)
        #expect(merged.requests == 3 && merged.maxMs == 5)
        #expect(JoinedEdges.rollups([]).isEmpty)
    }
}
