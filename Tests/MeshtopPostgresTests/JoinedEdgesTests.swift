import Foundation
import MeshtopGovernance
import MeshtopModel
import MeshtopStore
import Testing

@testable import MeshtopPostgres

/// Two collectors on one database, the spans of each trace split between them at random: topology (edge calls,
/// errors, latency percentiles) read from the shared store after the leader's join equals what one collector
/// that received every span computes (docs/scaling.md, "Edges across collectors").
@Suite(.serialized) struct JoinedEdgesTests {
    let now = SystemClock.wallMicros()

    /// Deterministic traces: gateway (server) → gateway client → orders (server, an internal child) → orders
    /// client → payments (server). In a third of them the client spans name their peer (`peer.service`), so
    /// their own collector counts the call; some calls fail.
    func traces(_ count: Int) -> [Span] {
        var rng = Seeded(seed: 42)
        var spans: [Span] = []
        let base = now - 15 * 60_000_000
        for t in 0..<count {
            let trace = TraceID(high: 0x5EED, low: UInt64(t + 1))
            let start = base + Int64(t) * 600_000 + Int64(rng.next() % 1000)
            let named = t % 3 == 0
            let failed = rng.next() % 7 == 0
            func s(_ id: UInt64, _ parent: UInt64?, _ service: String, _ kind: SpanKind, _ dur: Int64, peer: String?)
                -> Span
            {
                Span(
                    traceID: trace, spanID: SpanID(UInt64(t) << 8 | id),
                    parentID: parent.map { SpanID(UInt64(t) << 8 | $0) },
                    service: service, name: "op", kind: kind, startMicros: start + Int64(id) * 100, durationMicros: dur,
                    isError: failed && (service == "payments" || kind == .client), status: failed ? .error : .ok,
                    peerService: named ? peer : nil, attributes: [])
            }
            let pay = Int64(500 + rng.next() % 20_000)
            let ord = pay + Int64(1000 + rng.next() % 5000)
            spans += [
                s(5, 4, "payments", .server, pay, peer: nil),
                s(6, 3, "orders", .internal, 300, peer: nil),
                s(4, 3, "orders", .client, pay + 200, peer: "payments"),
                s(3, 2, "orders", .server, ord, peer: nil),
                s(2, 1, "gateway", .client, ord + 300, peer: "orders"),
                s(1, nil, "gateway", .server, ord + 900, peer: nil),
            ]
        }
        return spans
    }

    func run(_ spans: [Span], unmatched: Bool) -> GovernanceOutput {
        let e = GovernanceEngine()
        e.recordsUnmatchedChildren = unmatched
        for s in spans { e.ingest(span: s) }
        return e.tick(nowMicros: now, live: true)
    }

    func summaries(_ rollups: [EdgeRollup]) -> [String: REDSummary] {
        Dictionary(grouping: rollups) { "\($0.caller)->\($0.callee)" }
            .mapValues { REDSummary.merge(edgeRollups: $0, windowMicros: 3_600_000_000) }
    }

    @Test func splitTracesGiveTheTopologyOfOneCollector() throws {
        try TestServer.withDatabase { url in
            let spans = traces(300)
            let truth = summaries(run(spans, unmatched: false).edgeRollups)
            #expect(truth.keys.sorted() == ["gateway->orders", "orders->payments"])
            #expect(truth["gateway->orders"]?.requests == 300)

            var rng = Seeded(seed: 7)
            var parts: [[Span]] = [[], []]
            for s in spans { parts[Int(rng.next() % 2)].append(s) }
            let from = (now - 3_600_000_000) / 60_000_000 * 60_000_000
            let until = now + 60_000_000
            let a = try PostgresStore.open(url: url, collectorID: "a", leaderElection: false)
            defer { a.close() }
            for (id, part) in zip(["a", "b"], parts) {
                let store = id == "a" ? a : try PostgresStore.open(url: url, collectorID: id, leaderElection: false)
                defer { if id != "a" { store.close() } }
                let out = run(part, unmatched: true)
                #expect(!out.unmatchedChildren.isEmpty)
                var batch = WriteBatch(spans: part, edgeRollups: out.edgeRollups)
                batch.governanceExtras.unmatchedChildren = out.unmatchedChildren
                try store.write(batch)
            }
            let reader = try PostgresStore.openReadOnly(url: url)
            defer { reader.close() }
            // Without the join, calls whose two spans went to different collectors are missing.
            let before = summaries(try reader.edgeWindow(fromMinute: from, until: until).rollups)
            #expect((before["gateway->orders"]?.requests ?? 0) < 300)

            // As the collector's writer joins: started on the join's own thread, reported by the next start.
            func start() throws -> CrossCollectorJoinStart {
                try a.startCrossCollectorJoin(
                    throughMicros: until, lookbackMicros: 3_600_000_000, maxWindowMicros: 7_200_000_000,
                    rollups: JoinedEdges.rollups)
            }
            let first = try start()
            #expect(first.started && first.previous == nil)
            a.waitForCrossCollectorJoin()
            #expect(summaries(try reader.edgeWindow(fromMinute: from, until: until).rollups) == truth)

            // Joined again (a new leader, or the next round's look-back): replaced, not added.
            let second = try start()
            let missing = 600 - before.values.map(\.requests).reduce(0, +)
            #expect(second.started)
            #expect(try second.previous?.get()?.calls == Int(missing))
            a.waitForCrossCollectorJoin()
            #expect(summaries(try reader.edgeWindow(fromMinute: from, until: until).rollups) == truth)
            let joined = try a.joinCrossCollectorEdges(
                throughMicros: until, lookbackMicros: 3_600_000_000, maxWindowMicros: 7_200_000_000,
                rollups: JoinedEdges.rollups)
            #expect(joined?.calls == Int(missing))
            #expect(summaries(try reader.edgeWindow(fromMinute: from, until: until).rollups) == truth)
            // The mark: a later round with a short look-back leaves the earlier minutes as they are.
            let later = try a.joinCrossCollectorEdges(
                throughMicros: until + 60_000_000, lookbackMicros: 60_000_000, maxWindowMicros: 7_200_000_000,
                rollups: JoinedEdges.rollups)
            #expect(later?.calls == 0)
            #expect(summaries(try reader.edgeWindow(fromMinute: from, until: until).rollups) == truth)
        }
    }

    /// Two electing collectors on a new database, told apart by who holds the lead.
    func withLeaderAndFollower(_ body: (PostgresURL, PostgresStore, PostgresStore) throws -> Void) throws {
        try TestServer.withDatabase { url in
            let a = try PostgresStore.open(url: url, collectorID: "a", retrySeconds: 0.2)
            defer { a.close() }
            let b = try PostgresStore.open(url: url, collectorID: "b", retrySeconds: 0.2)
            defer { b.close() }
            let (leader, follower) = a.isLeader ? (a, b) : (b, a)
            #expect(leader.isLeader && !follower.isLeader)
            try body(url, leader, follower)
        }
    }

    /// Only the governance leader joins (one writer of the joined rows); a read-only store refuses.
    @Test func onlyTheLeaderJoins() throws {
        try withLeaderAndFollower { url, leader, follower in
            func join(_ store: PostgresStore) throws -> JoinedEdgesResult? {
                try store.joinCrossCollectorEdges(
                    throughMicros: now, lookbackMicros: 120_000_000, maxWindowMicros: 3_600_000_000,
                    rollups: JoinedEdges.rollups)
            }
            func start(_ store: PostgresStore) throws -> CrossCollectorJoinStart {
                try store.startCrossCollectorJoin(
                    throughMicros: now, lookbackMicros: 120_000_000, maxWindowMicros: 3_600_000_000,
                    rollups: JoinedEdges.rollups)
            }
            #expect(try join(follower) == nil)
            #expect(try join(leader)?.calls == 0)
            // Started asynchronously, the follower's join also writes nothing.
            #expect(try start(follower).started)
            follower.waitForCrossCollectorJoin()
            #expect(try start(follower).previous.map { try $0.get() } == .some(nil))
            let reader = try PostgresStore.openReadOnly(url: url)
            defer { reader.close() }
            #expect(throws: (any Error).self) { try join(reader) }
            #expect(throws: (any Error).self) { try start(reader) }
        }
    }

    /// The writer's join runs on a thread and connection of its own: while one runs (held here in `rollups`,
    /// inside its transaction) the store still writes batches, a second start starts nothing, and the next start
    /// after it ends reports it; a closed store starts none.
    @Test func oneJoinAtATimeBesideTheWriter() throws {
        try TestServer.withDatabase { url in
            let store = try PostgresStore.open(url: url, collectorID: "a", leaderElection: false)
            defer { store.close() }
            let entered = DispatchSemaphore(value: 0)
            let release = DispatchSemaphore(value: 0)
            func start() throws -> CrossCollectorJoinStart {
                try store.startCrossCollectorJoin(
                    throughMicros: now, lookbackMicros: 120_000_000, maxWindowMicros: 3_600_000_000
                ) { calls in
                    entered.signal()
                    release.wait()
                    return JoinedEdges.rollups(calls)
                }
            }
            #expect(try start().started)
            #expect(entered.wait(timeout: .now() + 10) == .success)
            let again = try start()
            #expect(!again.started && again.previous == nil)
            try store.write(WriteBatch(spans: [span(1, 1, service: "api", at: now)]))
            #expect(store.rowCounts()["spans"] == 1)
            release.signal()
            store.waitForCrossCollectorJoin()
            let next = try start()
            #expect(next.started)
            #expect(try next.previous?.get()?.calls == 0)
            #expect(entered.wait(timeout: .now() + 10) == .success)
            release.signal()
            store.waitForCrossCollectorJoin()
            store.close()
            #expect(try !start().started)
        }
    }

    /// Unmatched children and in-flight rows are every collector's own: a follower stores them, and a batch of
    /// only those asks nothing about the lead (`hasGovernance` false: no `pg_locks` read in its transaction). Its
    /// limit counts, written by the leader alone, are refused.
    @Test func aFollowerStoresItsUnmatchedChildrenWithoutAskingForTheLead() throws {
        try withLeaderAndFollower { _, leader, follower in
            let children = (1...3).map { i in
                UnmatchedChild(
                    traceID: TraceID(high: 1, low: UInt64(i)), parentID: SpanID(UInt64(i)), service: "orders",
                    kind: .server, isError: false, endMicros: now, durationMicros: 100)
            }
            var own = WriteBatch()
            own.governanceExtras.unmatchedChildren = children
            own.governanceExtras.concurrency = [
                ServiceConcurrency(
                    minuteMicros: Minute.floor(now), service: "orders", maxInFlight: 2, p99InFlight: 2, levels: [1, 2])
            ]
            #expect(!PostgresStore.hasGovernance(own))
            try follower.write(own)
            var limits = WriteBatch()
            limits.governanceExtras.unmatchedChildren = children
            limits.governanceExtras.limitStats = [
                LimitStat(
                    minuteMicros: Minute.floor(now), rule: "r", service: "orders", caller: "", callee: "", passed: 1,
                    blocked: 0, queued: 0)
            ]
            #expect(PostgresStore.hasGovernance(limits))
            try follower.write(limits)
            let counts = try follower.sql(
                """
                SELECT (SELECT count(*) FROM unmatched_spans WHERE collector = '\(follower.collectorID)'),
                    (SELECT count(*) FROM service_concurrency WHERE collector = '\(follower.collectorID)'),
                    (SELECT count(*) FROM limit_stats)
                """, limit: nil)
            #expect(counts.rows == [[.integer(6), .integer(1), .integer(0)]])
        }
    }
}

/// A seeded linear congruential generator, so the split is the same in every run.
struct Seeded {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 33
    }
}
