import Foundation
import Logging
import MeshtopModel
import MeshtopStore
import NIOCore
import PostgresNIO

extension PostgresStore: StoreWriter {
    public var location: String { url.description }

    /// Writes one batch in one transaction on the writer's own connection. Spans and logs go in by one binary
    /// `COPY … FROM STDIN` each, counters and gauges as one multi-row `INSERT … SELECT FROM unnest($arrays)` each.
    /// Breaker, alert, limit and threshold rows are written only while this collector holds the governance lead,
    /// checked inside the transaction (`pg_locks`), so a collector that lost the lead a moment ago writes none.
    /// A lost connection throws `PostgresStoreError.unavailable` ("store unavailable …"); the writer keeps the
    /// batch and retries, and the next call reconnects.
    public func write(_ batch: WriteBatch) throws {
        guard !readOnly else { throw StoreError.readOnly(location) }
        guard !batch.isEmpty else { return }
        try inWriterTransaction(before: { try ensurePartitions(days: Self.days(batch)) }) { c in
            try insert(batch, c)
            return true
        }
    }

    /// Runs `body` in one transaction on the writer's connection (after `before`, outside it), committed when
    /// `body` returns true and rolled back when it returns false or throws. A lost connection is dropped (the
    /// next call reconnects) and reported as `PostgresStoreError.unavailable`.
    func inWriterTransaction(before: () throws -> Void = {}, _ body: (PostgresConnection) throws -> Bool) throws {
        try inTransaction(on: \.writerConnection, before: before, body)
    }

    /// `inWriterTransaction` on the connection kept in `slot` (the writer's, or the join's of
    /// `PostgresStore+JoinedEdges.swift`), opened when there is none.
    func inTransaction(
        on slot: ReferenceWritableKeyPath<PostgresStore, PostgresConnection?>, before: () throws -> Void = {},
        _ body: (PostgresConnection) throws -> Bool
    ) throws {
        do {
            try before()
            let c = try ownConnection(slot)
            try c.exec("BEGIN", logger)
            do {
                try c.exec(try body(c) ? "COMMIT" : "ROLLBACK", logger)
            } catch {
                _ = try? c.exec("ROLLBACK", logger)
                throw error
            }
        } catch {
            drop(slot, ifBrokenBy: error)
            throw ConnectionPool.mapped(error, location: location)
        }
    }

    func writer() throws -> PostgresConnection { try ownConnection(\.writerConnection) }

    func dropWriterIfBroken(_ error: any Error) { drop(\.writerConnection, ifBrokenBy: error) }

    /// The open connection kept in `slot`, or a new one (not pooled) kept there.
    func ownConnection(_ slot: ReferenceWritableKeyPath<PostgresStore, PostgresConnection?>) throws
        -> PostgresConnection
    {
        if let c = lock.withLock({ self[keyPath: slot] }), !c.isClosed { return c }
        let c = try pool.connect()
        lock.withLock { self[keyPath: slot] = c }
        return c
    }

    /// Closes and forgets the connection in `slot` when `error` means it is gone (or it closed meanwhile).
    func drop(_ slot: ReferenceWritableKeyPath<PostgresStore, PostgresConnection?>, ifBrokenBy error: any Error) {
        guard ConnectionPool.isConnectionError(error) || (lock.withLock { self[keyPath: slot]?.isClosed ?? false })
        else { return }
        let c = lock.withLock { () -> PostgresConnection? in
            defer { self[keyPath: slot] = nil }
            return self[keyPath: slot]
        }
        if let c { c.closeSoon() }
    }

    static func days(_ batch: WriteBatch) -> Set<Int64> {
        var days = Set<Int64>()
        var last = Int64.min
        func add(_ t: Int64) {
            let d = Day.of(t)
            if d != last {
                days.insert(d)
                last = d
            }
        }
        for s in batch.spans { add(s.startMicros) }
        for l in batch.logs { add(l.timeMicros) }
        for m in batch.metricRollups { add(m.timeMicros) }
        return days
    }

    func insert(_ batch: WriteBatch, _ c: PostgresConnection) throws {
        if !batch.spans.isEmpty { try insertSpans(batch, c) }
        if !batch.logs.isEmpty { try insertLogs(batch, c) }
        if !batch.metricRollups.isEmpty { try insertMetricRollups(batch.metricRollups, c) }
        for r in batch.serviceRollups {
            try c.run(
                """
                INSERT INTO service_rollups(collector, minute_us, service, requests, errors, sum_us, max_us,
                    satisfied, tolerating, histogram)
                VALUES (\(collectorID), \(r.minuteMicros), \(r.service), \(r.requests), \(r.errors), \(r.sumMicros),
                    \(r.maxMicros), \(r.satisfied), \(r.tolerating), \(ByteBuffer(bytes: r.histogram)))
                ON CONFLICT (collector, service, minute_us) DO UPDATE SET requests = excluded.requests,
                    errors = excluded.errors, sum_us = excluded.sum_us, max_us = excluded.max_us,
                    satisfied = excluded.satisfied, tolerating = excluded.tolerating, histogram = excluded.histogram
                """, logger)
        }
        for r in batch.edgeRollups { try upsertEdgeRollup(r, collector: collectorID, c) }
        if !batch.governanceExtras.unmatchedChildren.isEmpty {
            try insertUnmatched(batch.governanceExtras.unmatchedChildren, c)
        }
        for r in batch.governanceExtras.concurrency {
            try c.run(
                """
                INSERT INTO service_concurrency(collector, minute_us, service, max_inflight, p99_inflight, levels)
                VALUES (\(collectorID), \(r.minuteMicros), \(r.service), \(r.maxInFlight), \(r.p99InFlight),
                    \(ByteBuffer(bytes: r.levels)))
                ON CONFLICT (collector, service, minute_us) DO UPDATE SET max_inflight = excluded.max_inflight,
                    p99_inflight = excluded.p99_inflight, levels = excluded.levels
                """, logger)
        }
        if Self.hasGovernance(batch), try leadsInTransaction(c) { try writeGovernance(batch, c) }
        if !batch.rejects.isEmpty {
            for r in batch.rejects.suffix(Self.rejectsKept) {
                try c.run(
                    """
                    INSERT INTO rejects(collector, at_us, reason, source, sample)
                    VALUES (\(collectorID), \(r.atMicros), \(r.reason.rawValue), \(r.source), \(r.sample))
                    """, logger)
            }
            try c.run(
                "DELETE FROM rejects WHERE id <= (SELECT max(id) FROM rejects) - \(Int64(Self.rejectsKept))", logger)
        }
        if !batch.counterDeltas.isEmpty {
            let names = Array(batch.counterDeltas.keys)
            let values = names.map { batch.counterDeltas[$0] ?? 0 }
            try c.run(
                """
                INSERT INTO collector_counters(collector, name, value)
                SELECT \(collectorID), n, v FROM unnest(\(names)::text[], \(values)::int8[]) AS u(n, v)
                ON CONFLICT (collector, name) DO UPDATE SET value = collector_counters.value + excluded.value
                """, logger)
        }
        if !batch.gauges.isEmpty {
            let names = Array(batch.gauges.keys)
            let values = names.map { batch.gauges[$0] ?? 0 }
            try c.run(
                """
                INSERT INTO collector_gauges(collector, name, value, updated_us)
                SELECT \(collectorID), n, v, \(SystemClock.wallMicros()) FROM unnest(\(names)::text[],
                    \(values)::float8[]) AS u(n, v)
                ON CONFLICT (collector, name) DO UPDATE SET value = excluded.value, updated_us = excluded.updated_us
                """, logger)
        }
        // This collector's heartbeat and status, in the same transaction.
        let status = lock.withLock { self.status }
        try c.run(
            """
            INSERT INTO meshtop_collectors(collector, status, leader, started_us, updated_us)
            VALUES (\(collectorID), \(status), \(isLeader), \(startedMicros), \(SystemClock.wallMicros()))
            ON CONFLICT (collector) DO UPDATE SET status = excluded.status, leader = excluded.leader,
                updated_us = excluded.updated_us
            """, logger)
        lock.withLock { statusWritten = status }
    }

    static let rejectsKept = 100
    /// How long `unmatched_spans` rows are kept for the leader's join (which reaches back a few minutes).
    static let unmatchedKeptMicros: Int64 = 3_600_000_000

    /// Whether the batch holds rows only the governance leader writes (`writeGovernance`): breakers and their
    /// transitions, the alert view and history, health thresholds and limit counts. Unmatched children and
    /// in-flight (concurrency) rows are every collector's own, written by `insert` whoever leads, so a batch of
    /// only those costs no leadership read (`leadsInTransaction`).
    static func hasGovernance(_ b: WriteBatch) -> Bool {
        !b.breakerStatuses.isEmpty || !b.breakerTransitions.isEmpty || !b.alertStatuses.isEmpty
            || b.replacesAlertView || !b.alertTransitions.isEmpty || b.governanceExtras.healthThresholds != nil
            || !b.governanceExtras.limitStats.isEmpty
    }

    /// True when this collector's election connection still holds the leader lock, as the server sees it now.
    func leadsInTransaction(_ c: PostgresConnection) throws -> Bool {
        guard let election else { return true }  // election off (tests, a single collector by choice)
        let pid = election.leaderPID
        guard pid != 0 else { return false }
        let key = PostgresSchema.leaderLockKey
        let classID = Int64(key >> 32)
        let objID = Int64(key & 0xFFFF_FFFF)
        let row = try c.run(
            """
            SELECT EXISTS(SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = \(pid)
                AND classid::bigint = \(classID) AND objid::bigint = \(objID))
            """, logger
        ).first
        return try row?.decode(Bool.self) ?? false
    }

    func writeGovernance(_ batch: WriteBatch, _ c: PostgresConnection) throws {
        for b in batch.breakerStatuses {
            try c.run(
                """
                INSERT INTO breakers(caller, callee, source, state, failure_rate, slow_call_rate, calls_in_window,
                    would_reject, since_us, last_call_us, transitions)
                VALUES (\(b.caller), \(b.callee), \(b.source.rawValue), \(b.state.rawValue), \(b.failureRate),
                    \(b.slowCallRate), \(Int64(b.callsInWindow)), \(b.wouldReject), \(b.sinceMicros),
                    \(b.lastCallMicros), \(Int64(b.transitions)))
                ON CONFLICT (caller, callee, source) DO UPDATE SET state = excluded.state,
                    failure_rate = excluded.failure_rate, slow_call_rate = excluded.slow_call_rate,
                    calls_in_window = excluded.calls_in_window, would_reject = excluded.would_reject,
                    since_us = excluded.since_us, last_call_us = excluded.last_call_us,
                    transitions = excluded.transitions
                """, logger)
        }
        var lastBreaker: [String: String] = [:]
        for var t in batch.breakerTransitions {
            // A new leader's engine has seen only its own traffic: a transition to the state the history already
            // ends in repeats the old leader's and is not recorded; a real change is recorded from that state.
            let key = t.caller + "\u{0}" + t.callee + "\u{0}" + t.source.rawValue
            let stored: String?
            if let known = lastBreaker[key] {
                stored = known
            } else {
                stored = try c.run(
                    """
                    SELECT to_state FROM breaker_transitions WHERE caller = \(t.caller) AND callee = \(t.callee)
                        AND source = \(t.source.rawValue) ORDER BY at_us DESC, id DESC LIMIT 1
                    """, logger
                ).first?.decode(String.self)
            }
            if let stored, let state = BreakerState(rawValue: stored) {
                if state == t.to { continue }
                t.from = state
            }
            lastBreaker[key] = t.to.rawValue
            try c.run(
                """
                INSERT INTO breaker_transitions(collector, caller, callee, source, at_us, from_state, to_state,
                    failure_rate, slow_call_rate, calls, failed_calls, slow_calls)
                VALUES (\(collectorID), \(t.caller), \(t.callee), \(t.source.rawValue), \(t.atMicros),
                    \(t.from.rawValue), \(t.to.rawValue), \(t.failureRate), \(t.slowCallRate), \(Int64(t.calls)),
                    \(Int64(t.failedCalls)), \(Int64(t.slowCalls)))
                """, logger)
        }
        if batch.replacesAlertView { try c.exec("DELETE FROM alerts", logger) }
        for a in batch.alertStatuses {
            try c.run(
                """
                INSERT INTO alerts(fingerprint, rule, severity, labels, state, value, since_us, fired_at_us,
                    resolved_at_us, summary)
                VALUES (\(a.fingerprint), \(a.rule), \(a.severity), \(JSONText.encode(a.labels)),
                    \(a.state.rawValue), \(a.value), \(a.sinceMicros), \(a.firedAtMicros), \(a.resolvedAtMicros),
                    \(a.summary))
                ON CONFLICT (fingerprint) DO UPDATE SET rule = excluded.rule, severity = excluded.severity,
                    labels = excluded.labels, state = excluded.state, value = excluded.value,
                    since_us = excluded.since_us, fired_at_us = excluded.fired_at_us,
                    resolved_at_us = excluded.resolved_at_us, summary = excluded.summary
                """, logger)
        }
        var lastAlert: [String: AlertState] = [:]
        for var t in batch.alertTransitions {
            let fingerprint = AlertStatus(
                rule: t.rule, severity: t.severity, labels: t.labels, state: t.to, value: t.value,
                sinceMicros: t.atMicros, summary: t.summary
            ).fingerprint
            // As for breakers: no repeat of the state the history ends in, and an alert recorded as firing does
            // not go back to pending (a new leader's engine passes through pending on its way to firing).
            let stored = try lastAlert[fingerprint] ?? recordedAlertState(fingerprint, c)
            if let stored {
                if Self.repeats(t, recorded: stored) { continue }
                t.from = stored
            }
            lastAlert[fingerprint] = t.to
            try c.run(
                """
                INSERT INTO alert_history(collector, fingerprint, rule, severity, labels, from_state, to_state,
                    at_us, value, summary)
                VALUES (\(collectorID), \(fingerprint), \(t.rule), \(t.severity), \(JSONText.encode(t.labels)),
                    \(t.from.rawValue), \(t.to.rawValue), \(t.atMicros), \(t.value), \(t.summary))
                """, logger)
        }
        let extras = batch.governanceExtras
        if let thresholds = extras.healthThresholds {
            try c.exec("DELETE FROM health_thresholds", logger)
            let now = SystemClock.wallMicros()
            for (i, s) in thresholds.enumerated() {
                let t = s.thresholds
                try c.run(
                    """
                    INSERT INTO health_thresholds(position, match, apdex_t_us, latency_objective_us,
                        error_rate_degraded, error_rate_failing, min_apdex, updated_us)
                    VALUES (\(Int32(i)), \(s.match), \(t.apdexTMicros), \(t.latencyObjectiveMicros),
                        \(t.degradedErrorRate), \(t.failingErrorRate), \(t.minApdex), \(now))
                    """, logger)
            }
        }
        for s in extras.limitStats {
            try c.run(
                """
                INSERT INTO limit_stats(minute_us, rule, service, caller, callee, passed, blocked, queued)
                VALUES (\(s.minuteMicros), \(s.rule), \(s.service), \(s.caller), \(s.callee), \(s.passed),
                    \(s.blocked), \(s.queued))
                ON CONFLICT (minute_us, rule, service, caller, callee) DO UPDATE SET passed = excluded.passed,
                    blocked = excluded.blocked, queued = excluded.queued
                """, logger)
        }
    }

    /// The state the shared alert history ends in for one alert instance, nil when it has none.
    func recordedAlertState(_ fingerprint: String, _ c: PostgresConnection) throws -> AlertState? {
        try c.run(
            """
            SELECT to_state FROM alert_history WHERE fingerprint = \(fingerprint) ORDER BY at_us DESC, id DESC LIMIT 1
            """, logger
        ).first.flatMap { AlertState(rawValue: try $0.decode(String.self)) }
    }

    /// A transition to the state the history already ends in, or from firing back to pending, is a new leader's
    /// engine catching up, not a change.
    static func repeats(_ t: AlertTransition, recorded: AlertState) -> Bool {
        recorded == t.to || (recorded == .firing && t.to == .pending)
    }

    /// Whether `transition` is news for the shared history, so its `--on-alert` hook should run: false when it
    /// repeats the state the history ends in (a new leader's first firing of an alert the old leader had already
    /// announced). True when the history cannot be read (better a repeated hook than a lost one).
    public func isNews(_ transition: AlertTransition) -> Bool {
        let fingerprint = AlertStatus(
            rule: transition.rule, severity: transition.severity, labels: transition.labels, state: transition.to,
            value: transition.value, sinceMicros: transition.atMicros, summary: transition.summary
        ).fingerprint
        guard let recorded = try? withOwnConnection({ c in try recordedAlertState(fingerprint, c) }) else {
            return true
        }
        return !Self.repeats(transition, recorded: recorded)
    }

    // MARK: raw rows, batched

    /// Spans and logs go in by binary COPY (`PostgresCopyRows`, `copyBinary`): each row is encoded once, straight
    /// into a few ByteBuffers, and the server parses no SQL values nor arrays.
    func insertSpans(_ batch: WriteBatch, _ c: PostgresConnection) throws {
        let chunks = PostgresCopyRows.spans(
            collector: collectorID, batch.spans, attributes: batch.spanAttributesJSON, events: batch.spanEventsJSON)
        try c.copyBinary(table: "spans", columns: PostgresCopyRows.spanColumns, chunks, logger)
    }

    func insertLogs(_ batch: WriteBatch, _ c: PostgresConnection) throws {
        let chunks = PostgresCopyRows.logs(collector: collectorID, batch.logs, attributes: batch.logAttributesJSON)
        try c.copyBinary(table: "logs", columns: PostgresCopyRows.logColumns, chunks, logger)
    }

    func insertMetricRollups(_ rollups: [MetricRollup], _ c: PostgresConnection) throws {
        for r in rollups {
            try c.run(
                """
                INSERT INTO metric_rollups(collector, time_us, interval_us, name, type, tags, service, count, sum,
                    rate, min, max, mean, p50, p90, p95, p99, std, last, uniq, exemplars)
                VALUES (\(collectorID), \(r.timeMicros), \(r.intervalMicros), \(r.name), \(r.type.rawValue),
                    \(r.tags.sorted().joined(separator: ",")), \(r.service), \(r.count), \(r.sum), \(r.rate),
                    \(r.min), \(r.max), \(r.mean), \(r.p50), \(r.p90), \(r.p95), \(r.p99), \(r.std), \(r.last),
                    \(r.unique.map(Int64.init)),
                    \(r.exemplarTraceIDs.isEmpty ? nil : r.exemplarTraceIDs.map(\.hex).joined(separator: ",")))
                """, logger)
        }
    }

    // MARK: retention, status

    /// Retention by partition: drops the daily partitions of spans and logs that end at or before
    /// `rawOlderThan` and those of metric rollups that end at or before `rollupsOlderThan` (so up to one day more
    /// than the retention is kept), deletes the default partitions' older rows and the older minute rollups,
    /// limit counts, in-flight minutes and breaker transitions; then, while the database is larger than `maxBytes`, drops the
    /// oldest raw partition (never today's). Only the governance leader prunes; others return an empty result.
    @discardableResult
    public func prune(rawOlderThan: Int64, rollupsOlderThan: Int64, maxBytes: Int64?) throws -> PruneResult {
        var result = PruneResult.empty
        if election != nil && !isLeader { return result }
        let started = SystemClock.monotonicMicros()
        try withOwnConnection { c in
            let size = {
                try c.run("SELECT pg_database_size(current_database())", self.logger).first?.decode(Int64.self) ?? 0
            }
            result.usedBytesBefore = try size()
            for (table, column) in PostgresSchema.partitioned {
                let cutoff = table == "metric_rollups" ? rollupsOlderThan : rawOlderThan
                for (day, name) in try partitions(table, c) where (day + 1) * Day.micros <= cutoff {
                    try c.exec("DROP TABLE IF EXISTS \(name)", logger)
                    lock.withLock { _ = ensuredDays.remove(day) }
                    result.deleted[table + " partitions", default: 0] += 1
                }
                try c.run("DELETE FROM \(unescaped: table)_default WHERE \(unescaped: column) < \(cutoff)", logger)
            }
            for (table, column) in [
                ("service_rollups", "minute_us"), ("edge_rollups", "minute_us"), ("limit_stats", "minute_us"),
                ("service_concurrency", "minute_us"), ("breaker_transitions", "at_us"),
            ] {
                try c.run("DELETE FROM \(unescaped: table) WHERE \(unescaped: column) < \(rollupsOlderThan)", logger)
            }
            // Joined within minutes; kept an hour, or the raw retention when shorter.
            let unmatchedCutoff = max(SystemClock.wallMicros() - Self.unmatchedKeptMicros, rawOlderThan)
            try c.run("DELETE FROM unmatched_spans WHERE end_us < \(unmatchedCutoff)", logger)
            if let maxBytes {
                let today = Day.of(SystemClock.wallMicros())
                while try size() > maxBytes {
                    let oldest = try ["spans", "logs"].flatMap { try partitions($0, c) }.filter { $0.day < today }
                        .min { $0.day < $1.day }
                    guard let oldest else { break }
                    for table in ["spans", "logs"] {
                        try c.exec("DROP TABLE IF EXISTS \(table)_p\(Day.name(oldest.day))", logger)
                    }
                    lock.withLock { _ = ensuredDays.remove(oldest.day) }
                    result.deleted["raw partitions (size)", default: 0] += 1
                }
            }
            result.usedBytesAfter = try size()
        }
        result.transactions = 1
        result.longestOwnMillis = Double(SystemClock.monotonicMicros() - started) / 1000
        result.longestLockMillis = result.longestOwnMillis
        return result
    }

    /// Nothing to move: PostgreSQL checkpoints on its own.
    public func checkpoint() {}

    /// Keeps the status in this process (`writerStatus()` of the writing store) and writes it to
    /// `meshtop_collectors` with the next batch, or at once when the server takes it (a write that fails for
    /// another reason than a lost connection still reaches readers).
    public func setWriterStatus(_ status: String) {
        lock.withLock { self.status = status }
        guard let c = lock.withLock({ writerConnection }), !c.isClosed else { return }
        _ = try? c.run(
            """
            INSERT INTO meshtop_collectors(collector, status, leader, started_us, updated_us)
            VALUES (\(collectorID), \(status), \(isLeader), \(startedMicros), \(SystemClock.wallMicros()))
            ON CONFLICT (collector) DO UPDATE SET status = excluded.status, updated_us = excluded.updated_us
            """, logger)
    }
}
