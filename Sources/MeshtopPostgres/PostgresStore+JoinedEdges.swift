import Foundation
import MeshtopModel
import MeshtopStore
import PostgresNIO

/// What one join of calls across collectors did (`joinCrossCollectorEdges`).
public struct JoinedEdgesResult: Sendable, Hashable {
    /// The window joined: unmatched children whose end is in [from, through), minute-aligned.
    public var fromMicros: Int64
    public var throughMicros: Int64
    /// Unmatched children whose parent another collector stored: the calls counted.
    public var calls: Int
    /// `edge_rollups` rows written for the window.
    public var rollups: Int
}

/// What `PostgresStore.startCrossCollectorJoin` did.
public struct CrossCollectorJoinStart: Sendable {
    /// False when the previous join was still running (or the store is closed): none was started.
    public var started: Bool
    /// What the previous join finished with, reported by the first call after it finished; nil when none has
    /// finished since the last call.
    public var previous: Result<JoinedEdgesResult?, any Error>?
}

extension PostgresStore {
    /// The `meta` key holding the end of the last joined window.
    static let joinedThroughKey = "joined_edges_through_us"
    /// A parent is looked for among the spans that started up to an hour before the window (and up to 10 minutes
    /// after it, for clocks that disagree): constant bounds, so only the day partitions they touch are read and,
    /// on a long day, only that part of the start index. A single collector matches less (it remembers a parent
    /// for 2 minutes after its end).
    static let parentStartsWithin: Int64 = 3_600_000_000
    static let clockSkew: Int64 = 600_000_000

    /// Whether another collector wrote to this database in the last 2 minutes (its `meshtop_collectors` row):
    /// only then can a parent this collector did not see have reached another one, so only then are unmatched
    /// children worth storing (a lone collector stored one row per orphan span for nothing: `meshtop bench
    /// ingest`'s spans all have absent parents).
    public func othersWrite() throws -> Bool {
        let since = SystemClock.wallMicros() - 120_000_000
        return try read { c in
            try c.run(
                """
                SELECT EXISTS(SELECT 1 FROM meshtop_collectors WHERE collector <> \(collectorID)
                    AND updated_us > \(since))
                """, logger
            ).first?.decode(Bool.self) ?? false
        }
    }

    /// Stores the spans whose parent this collector did not see (`UnmatchedChild`), one statement per batch.
    func insertUnmatched(_ children: [UnmatchedChild], _ c: PostgresConnection) throws {
        try c.run(
            """
            INSERT INTO unmatched_spans(collector, end_us, trace_id, parent_id, service, kind, error, duration_us)
            SELECT \(collectorID), e, decode(t, 'hex'), decode(p, 'hex'), s, k, x, d
            FROM unnest(\(children.map(\.endMicros))::int8[], \(children.map(\.traceID.hex))::text[],
                \(children.map(\.parentID.hex))::text[], \(children.map(\.service))::text[],
                \(children.map { Int32($0.kind.rawValue) })::int4[], \(children.map { Int32($0.isError ? 1 : 0) })::int4[],
                \(children.map(\.durationMicros))::int8[]) AS u(e, t, p, s, k, x, d)
            """, logger)
    }

    /// The governance leader's join of calls whose two spans reached different collectors (docs/scaling.md,
    /// "Edges across collectors"). Each collector stores the spans whose parent it did not see within the parent
    /// wait (`unmatched_spans`); this joins those whose end is in the window with their parent span in `spans`,
    /// keeps the pairs a collector that saw both spans would have counted as a call — parent stored by another
    /// collector, of another service, and not a client or producer span that names its peer (that span was counted
    /// as the call by its own collector) — and replaces the window's `edge_rollups` rows of collector `(joined)`
    /// with `rollups(calls)`, all in one transaction that also moves the `meta` mark.
    ///
    /// The window runs from `lookbackMicros` before the mark (children stored late, by a collector whose writer
    /// lagged, are still joined; recomputing replaces, so nothing counts twice and a new leader repeats nothing)
    /// to `throughMicros`, at most `maxWindowMicros` long. Returns nil, having written nothing, when this
    /// collector does not lead governance (checked inside the transaction) or the window is empty.
    ///
    /// Runs on the join's own connection and thread (never the writer's), after a join in progress, and waits
    /// for it; the collector's writer starts joins with `startCrossCollectorJoin` instead, which does not wait.
    public func joinCrossCollectorEdges(
        throughMicros: Int64, lookbackMicros: Int64, maxWindowMicros: Int64,
        rollups: ([JoinedCall]) -> [EdgeRollup]
    ) throws -> JoinedEdgesResult? {
        guard !readOnly else { throw StoreError.readOnly(location) }
        return try joinQueue.sync {
            try joinOnOwnConnection(
                through: throughMicros, lookback: lookbackMicros, maxWindow: maxWindowMicros, rollups)
        }
    }

    /// Starts `joinCrossCollectorEdges` on the join's own connection and thread and returns at once, so the
    /// writer's batches never wait for a join (400,000 unmatched children take about 1.2 s on the server). None is
    /// started while the previous one runs (never two at once) or after `close`. Reports, once, what the previous
    /// join finished with. A read-only store throws and joins nothing.
    public func startCrossCollectorJoin(
        throughMicros: Int64, lookbackMicros: Int64, maxWindowMicros: Int64,
        rollups: @escaping @Sendable ([JoinedCall]) -> [EdgeRollup]
    ) throws -> CrossCollectorJoinStart {
        guard !readOnly else { throw StoreError.readOnly(location) }
        let (started, finished) = lock.withLock { () -> (Bool, Result<JoinedEdgesResult?, any Error>?) in
            let finished = joinFinished
            joinFinished = nil
            guard !joinRunning, !joinClosed else { return (false, finished) }
            joinRunning = true
            return (true, finished)
        }
        if started {
            joinQueue.async { [self] in
                let outcome = Result {
                    try joinOnOwnConnection(
                        through: throughMicros, lookback: lookbackMicros, maxWindow: maxWindowMicros, rollups)
                }
                lock.withLock {
                    joinRunning = false
                    joinFinished = outcome
                }
            }
        }
        return CrossCollectorJoinStart(started: started, previous: finished)
    }

    /// Waits until no join runs (tests; a join still running when the collector stops is rolled back by `close`).
    public func waitForCrossCollectorJoin() {
        joinQueue.sync {}
    }

    /// One join in one transaction on `joinConnection`; on `joinQueue` only.
    private func joinOnOwnConnection(
        through throughMicros: Int64, lookback: Int64, maxWindow: Int64, _ rollups: ([JoinedCall]) -> [EdgeRollup]
    ) throws -> JoinedEdgesResult? {
        guard !(lock.withLock { joinClosed }) else {
            throw PostgresStoreError.unavailable(location: location, reason: "the store is closed")
        }
        let through = Minute.floor(throughMicros)
        var result: JoinedEdgesResult?
        try inTransaction(on: \.joinConnection) { c in
            result = try join(c, through: through, lookback: lookback, maxWindow: maxWindow, rollups)
            return result != nil
        }
        return result
    }

    private func join(
        _ c: PostgresConnection, through: Int64, lookback: Int64, maxWindow: Int64,
        _ rollups: ([JoinedCall]) -> [EdgeRollup]
    ) throws -> JoinedEdgesResult? {
        guard try leadsInTransaction(c) else { return nil }
        let mark = try c.run("SELECT value FROM meta WHERE key = \(Self.joinedThroughKey)", logger).first
            .flatMap { Int64(try $0.decode(String.self)) }
        let from = Minute.floor(max(through - maxWindow, (mark ?? through) - lookback))
        guard from < through else { return nil }
        let client = Int32(SpanKind.client.rawValue)
        let producer = Int32(SpanKind.producer.rawValue)
        let rows = try c.run(
            """
            SELECT p.service, o.service, o.end_us, o.duration_us, o.error, p.kind, p.error
            FROM unmatched_spans o JOIN spans p ON p.trace_id = o.trace_id AND p.span_id = o.parent_id
            WHERE o.end_us >= \(from) AND o.end_us < \(through)
                AND p.start_us >= \(from - Self.parentStartsWithin) AND p.start_us < \(through + Self.clockSkew)
                AND p.collector <> o.collector
                AND p.service <> o.service
                AND NOT (p.kind IN (\(client), \(producer)) AND coalesce(p.peer_service, '') NOT IN ('', p.service))
            """, logger)
        var calls: [JoinedCall] = []
        calls.reserveCapacity(rows.count)
        for row in rows {
            let (caller, callee, end, duration, error, kind, parentError) = try row.decode(
                (String, String, Int64, Int64, Int32, Int32, Int32).self)
            calls.append(
                JoinedCall(
                    caller: caller, callee: callee, endMicros: end, durationMicros: duration,
                    failed: error != 0 || (kind == client && parentError != 0)))
        }
        let edges = rollups(calls)
        try c.run(
            """
            DELETE FROM edge_rollups WHERE collector = \(PostgresSchema.joinedCollector)
                AND minute_us >= \(from) AND minute_us < \(through)
            """, logger)
        for r in edges { try upsertEdgeRollup(r, collector: PostgresSchema.joinedCollector, c) }
        try c.run(
            """
            INSERT INTO meta(key, value) VALUES (\(Self.joinedThroughKey), \(String(through)))
            ON CONFLICT (key) DO UPDATE SET value = excluded.value
            """, logger)
        return JoinedEdgesResult(fromMicros: from, throughMicros: through, calls: calls.count, rollups: edges.count)
    }

    /// One edge partial, replacing the row of the same collector, edge and minute.
    func upsertEdgeRollup(_ r: EdgeRollup, collector: String, _ c: PostgresConnection) throws {
        try c.run(
            """
            INSERT INTO edge_rollups(collector, minute_us, caller, callee, calls, errors, sum_us, max_us,
                histogram)
            VALUES (\(collector), \(r.minuteMicros), \(r.caller), \(r.callee), \(r.calls), \(r.errors),
                \(r.sumMicros), \(r.maxMicros), \(ByteBuffer(bytes: r.histogram)))
            ON CONFLICT (collector, caller, callee, minute_us) DO UPDATE SET calls = excluded.calls,
                errors = excluded.errors, sum_us = excluded.sum_us, max_us = excluded.max_us,
                histogram = excluded.histogram
            """, logger)
    }
}
