import Foundation
import Logging
import MeshtopModel
import MeshtopStore
import MeshtopWire
import NIOCore
import PostgresNIO

extension PostgresStore: StoreReader {
    /// Runs `body` on a pooled connection; a statement past `statement_timeout` throws `StoreError.timedOut`.
    func read<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        do {
            return try pool.withConnection(body)
        } catch {
            if ConnectionPool.sqlState(error) == "57014" { throw StoreError.timedOut(seconds: readTimeout ?? 0) }
            if let e = error as? PostgresStoreError { throw e }
            if error is StoreError || error is SQLStatementError { throw error }
            throw PostgresStoreError.failed("PostgreSQL read failed: \(ConnectionPool.describe(error))")
        }
    }

    /// The writing store's own status when this process writes; else what the collectors wrote: each one's
    /// status, and those whose last write is more than 60 s old ("collector X: no write since …").
    public func writerStatus() -> String? {
        if !readOnly {
            let s = lock.withLock { status }
            return s.isEmpty ? nil : s
        }
        let rows = try? read { c in
            try c.run(
                "SELECT collector, status, updated_us FROM meshtop_collectors ORDER BY collector", logger
            ).map { try $0.decode((String, String, Int64).self) }
        }
        guard let rows else { return nil }
        let now = SystemClock.wallMicros()
        var parts: [String] = []
        let live = rows.filter { now - $0.2 < 60_000_000 || !$0.1.isEmpty }
        for (collector, status, updated) in live {
            if !status.isEmpty {
                parts.append(rows.count > 1 ? "\(collector): \(status)" : status)
            } else if now - updated >= 60_000_000 && now - updated < 3_600_000_000 {
                parts.append("\(collector): no write since \(RFC3339.format(micros: updated))")
            }
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    public func latestEventMicros() throws -> Int64? {
        try read { c in
            try c.run(
                """
                SELECT greatest((SELECT max(start_us) FROM spans), (SELECT max(time_us) FROM logs),
                    (SELECT max(time_us) FROM metric_rollups))
                """, logger
            ).first?.decode(Int64?.self)
        }
    }

    public func counters() throws -> [String: Int64] {
        try read { c in
            var out: [String: Int64] = [:]
            for row in try c.run("SELECT name, sum(value)::bigint FROM collector_counters GROUP BY name", logger) {
                let (name, value) = try row.decode((String, Int64).self)
                out[name] = value
            }
            return out
        }
    }

    /// Each gauge over the collectors that wrote it in the two minutes before the newest write (so a stopped
    /// collector's last rate does not count forever): rates and queue sizes (`…_per_s`, `queue_…`) summed, the
    /// rest (times such as `started_us`, `write_p99_ms`) the largest; with the newest write time.
    public func gauges() throws -> [String: StoredGauge] {
        try read { c in
            var out: [String: StoredGauge] = [:]
            for row in try c.run(
                """
                SELECT name,
                    CASE WHEN name LIKE '%per\\_s' OR name LIKE 'queue\\_%' THEN sum(value) ELSE max(value) END,
                    max(updated_us) FROM collector_gauges
                WHERE updated_us >= (SELECT max(updated_us) FROM collector_gauges) - 120000000 GROUP BY name
                """, logger)
            {
                let (name, value, updated) = try row.decode((String, Double, Int64).self)
                out[name] = StoredGauge(value: value, updatedMicros: updated)
            }
            return out
        }
    }

    public func recentRejects(limit: Int) throws -> [RejectRecord] {
        try read { c in
            try c.run(
                "SELECT at_us, reason, source, sample FROM rejects ORDER BY id DESC LIMIT \(Int64(limit))", logger
            ).map {
                let (at, reason, source, sample) = try $0.decode((Int64, String, String, String).self)
                return RejectRecord(
                    atMicros: at, reason: RejectReason(rawValue: reason) ?? .unknownFormat, source: source,
                    sample: sample)
            }
        }
    }

    public func rowCounts() -> [String: Int64] {
        (try? read { c in
            var out: [String: Int64] = [:]
            for table in PostgresSchema.tables {
                out[table] =
                    try c.run(PostgresQuery(unsafeSQL: "SELECT count(*)::bigint FROM \(table)"), logger)
                    .first?.decode(Int64.self) ?? 0
            }
            return out
        }) ?? [:]
    }

    public func databaseBytes() -> Int64 {
        (try? read { c in
            try c.run("SELECT pg_database_size(current_database())", logger).first?.decode(Int64.self)
        }) ?? 0
    }

    // MARK: governance

    public func serviceWindow(fromMinute: Int64, until: Int64, knownSince: Int64) throws -> ServiceWindow {
        try read { c in
            let rollups = try c.run(
                """
                SELECT minute_us, service, requests, errors, sum_us, max_us, satisfied, tolerating, histogram
                FROM service_rollups WHERE minute_us >= \(fromMinute) AND minute_us < \(until)
                """, logger
            ).map { row in
                let (m, s, r, e, sum, max, sat, tol, h) = try row.decode(
                    (Int64, String, Int64, Int64, Int64, Int64, Int64, Int64, ByteBuffer).self)
                return ServiceRollup(
                    minuteMicros: m, service: s, requests: r, errors: e, sumMicros: sum, maxMicros: max,
                    satisfied: sat, tolerating: tol, histogram: Array(h.readableBytesView))
            }
            let known = try c.run(
                """
                SELECT DISTINCT service FROM service_rollups WHERE minute_us >= \(knownSince) AND minute_us < \(until)
                """, logger
            ).map { try $0.decode(String.self) }
            let concurrency = try c.run(
                """
                SELECT minute_us, service, max_inflight, p99_inflight, levels FROM service_concurrency
                WHERE minute_us >= \(fromMinute) AND minute_us < \(until)
                """, logger
            ).map { row in
                let (m, s, maxInFlight, p99, levels) = try row.decode((Int64, String, Int64, Int64, ByteBuffer).self)
                return ServiceConcurrency(
                    minuteMicros: m, service: s, maxInFlight: maxInFlight, p99InFlight: p99,
                    levels: Array(levels.readableBytesView))
            }
            return ServiceWindow(
                rollups: rollups, known: known, openInboundBreakers: try openInboundBreakers(c),
                healthThresholds: try healthThresholds(c), concurrency: concurrency)
        }
    }

    func openInboundBreakers(_ c: PostgresConnection) throws -> Set<String> {
        Set(
            try c.run(
                "SELECT DISTINCT callee FROM breakers WHERE source = 'simulated' AND state = 'open'", logger
            ).map { try $0.decode(String.self) })
    }

    func healthThresholds(_ c: PostgresConnection) throws -> [ServiceSettings] {
        try c.run(
            """
            SELECT match, apdex_t_us, latency_objective_us, error_rate_degraded, error_rate_failing, min_apdex
            FROM health_thresholds ORDER BY position
            """, logger
        ).map { row in
            let (m, a, l, d, f, min) = try row.decode((String, Int64, Int64, Double, Double, Double).self)
            return ServiceSettings(
                match: m,
                thresholds: HealthThresholds(
                    apdexTMicros: a, latencyObjectiveMicros: l, degradedErrorRate: d, failingErrorRate: f,
                    minApdex: min))
        }
    }

    public func edgeWindow(fromMinute: Int64, until: Int64) throws -> EdgeWindow {
        try read { c in
            let rollups = try c.run(
                """
                SELECT minute_us, caller, callee, calls, errors, sum_us, max_us, histogram
                FROM edge_rollups WHERE minute_us >= \(fromMinute) AND minute_us < \(until)
                """, logger
            ).map { row in
                let (m, caller, callee, calls, e, sum, max, h) = try row.decode(
                    (Int64, String, String, Int64, Int64, Int64, Int64, ByteBuffer).self)
                return EdgeRollup(
                    minuteMicros: m, caller: caller, callee: callee, calls: calls, errors: e, sumMicros: sum,
                    maxMicros: max, histogram: Array(h.readableBytesView))
            }
            var breakers: [EdgeKey: BreakerState] = [:]
            for row in try c.run("SELECT caller, callee, state FROM breakers WHERE source = 'simulated'", logger) {
                let (caller, callee, state) = try row.decode((String, String, String).self)
                breakers[EdgeKey(caller, callee)] = BreakerState(rawValue: state) ?? .other
            }
            return EdgeWindow(rollups: rollups, simulatedBreakers: breakers)
        }
    }

    static let breakerColumns = """
        caller, callee, source, state, failure_rate, slow_call_rate, calls_in_window, would_reject, since_us,
        last_call_us, transitions
        """

    public func breakers() throws -> [BreakerStatus] {
        try read { c in
            try c.run(
                PostgresQuery(
                    unsafeSQL: "SELECT \(Self.breakerColumns) FROM breakers ORDER BY caller, callee, source"),
                logger
            ).map { row in
                let (caller, callee, source, state, fr, sr, calls, wr, since, last, tr) = try row.decode(
                    (String, String, String, String, Double?, Double?, Int64, Int64, Int64, Int64, Int64).self)
                return BreakerStatus(
                    caller: caller, callee: callee, source: BreakerSource(rawValue: source) ?? .simulated,
                    state: BreakerState(rawValue: state) ?? .other, failureRate: fr, slowCallRate: sr,
                    callsInWindow: Int(calls), wouldReject: wr, sinceMicros: since, lastCallMicros: last,
                    transitions: Int(tr))
            }
        }
    }

    static let transitionColumns = """
        caller, callee, source, at_us, from_state, to_state, failure_rate, slow_call_rate, calls, failed_calls,
        slow_calls
        """

    static func transition(_ row: PostgresRow) throws -> BreakerTransition {
        let (caller, callee, source, at, from, to, fr, sr, calls, failed, slow) = try row.decode(
            (String, String, String, Int64, String, String, Double?, Double?, Int64, Int64, Int64).self)
        return BreakerTransition(
            caller: caller, callee: callee, source: BreakerSource(rawValue: source) ?? .simulated, atMicros: at,
            from: BreakerState(rawValue: from) ?? .other, to: BreakerState(rawValue: to) ?? .other,
            failureRate: fr, slowCallRate: sr, calls: Int(calls), failedCalls: Int(failed), slowCalls: Int(slow))
    }

    public func breakerHistory(caller: String?, callee: String?, limit: Int) throws -> [BreakerTransition] {
        try read { c in
            try c.run(
                """
                SELECT \(unescaped: Self.transitionColumns) FROM breaker_transitions
                WHERE (\(caller)::text IS NULL OR caller = \(caller)) AND (\(callee)::text IS NULL OR callee = \(callee))
                ORDER BY at_us DESC, id DESC LIMIT \(Int64(max(limit, 1)))
                """, logger
            ).map(Self.transition)
        }
    }

    public func alerts(state: AlertState?, resolvedSince: Int64) throws -> [AlertStatus] {
        try read { c in
            try c.run(
                """
                SELECT rule, severity, labels, state, value, since_us, fired_at_us, resolved_at_us, summary
                FROM alerts
                WHERE CASE WHEN \(state?.rawValue)::text IS NOT NULL THEN state = \(state?.rawValue)
                    ELSE state IN ('pending', 'firing') OR (state = 'resolved' AND resolved_at_us >= \(resolvedSince))
                    END
                ORDER BY CASE state WHEN 'firing' THEN 0 WHEN 'pending' THEN 1 ELSE 2 END, rule, fingerprint
                """, logger
            ).map { row in
                let (rule, severity, labels, st, value, since, fired, resolved, summary) = try row.decode(
                    (String, String, String, String, Double, Int64, Int64?, Int64?, String).self)
                return AlertStatus(
                    rule: rule, severity: severity, labels: JSONDecoding.attributes(labels),
                    state: AlertState(rawValue: st) ?? .inactive, value: value, sinceMicros: since,
                    firedAtMicros: fired, resolvedAtMicros: resolved, summary: summary)
            }
        }
    }

    static func alertTransition(_ row: PostgresRow) throws -> AlertTransition {
        let (rule, severity, labels, from, to, at, value, summary) = try row.decode(
            (String, String, String, String, String, Int64, Double, String).self)
        return AlertTransition(
            rule: rule, severity: severity, labels: JSONDecoding.attributes(labels),
            from: AlertState(rawValue: from) ?? .inactive, to: AlertState(rawValue: to) ?? .inactive, atMicros: at,
            value: value, summary: summary)
    }

    public func alertHistory(limit: Int) throws -> [AlertTransition] {
        try read { c in
            try c.run(
                """
                SELECT rule, severity, labels, from_state, to_state, at_us, value, summary FROM alert_history
                ORDER BY at_us DESC, id DESC LIMIT \(Int64(max(limit, 1)))
                """, logger
            ).map(Self.alertTransition)
        }
    }

    public func limitStats(fromMinute: Int64, until: Int64) throws -> [LimitStat] {
        try read { c in
            try c.run(
                """
                SELECT rule, service, caller, callee, sum(passed)::bigint, sum(blocked)::bigint, sum(queued)::bigint
                FROM limit_stats WHERE minute_us >= \(fromMinute) AND minute_us < \(until)
                GROUP BY rule, service, caller, callee ORDER BY rule, service, caller, callee
                """, logger
            ).map { row in
                let (rule, service, caller, callee, p, b, q) = try row.decode(
                    (String, String, String, String, Int64, Int64, Int64).self)
                return LimitStat(
                    minuteMicros: fromMinute, rule: rule, service: service, caller: caller, callee: callee,
                    passed: p, blocked: b, queued: q)
            }
        }
    }

    // MARK: telemetry

    public func metricFlushes(_ search: MetricSearch) throws -> [MetricRollup] {
        var binds = PostgresBindings()
        var sql = """
            SELECT time_us, interval_us, name, type, tags, service, count, sum, rate, min, max, mean, p50, p90, p95,
                p99, std, last, uniq, exemplars FROM metric_rollups WHERE time_us >= $1 AND time_us < $2
            """
        binds.append(search.window.sinceMicros)
        binds.append(search.window.untilMicros)
        if let glob = search.nameGlob, !glob.isEmpty {
            binds.append(Self.globRegex(glob))
            sql += " AND name ~ $\(binds.count)"
        }
        for tag in search.tags {
            binds.append("," + tag + ",")
            sql += " AND strpos(',' || tags || ',', $\(binds.count)) > 0"
        }
        sql += " ORDER BY time_us"
        let query = PostgresQuery(unsafeSQL: sql, binds: binds)
        return try read { c in
            try c.run(query, logger).map { row in
                let cells = row.makeRandomAccess()
                let tags = try cells[4].decode(String.self)
                func d(_ i: Int) throws -> Double? { try cells[i].decode(Double?.self) }
                var rollup = MetricRollup(
                    timeMicros: try cells[0].decode(Int64.self), intervalMicros: try cells[1].decode(Int64.self),
                    name: try cells[2].decode(String.self),
                    type: MetricType(rawValue: try cells[3].decode(String.self)) ?? .gauge,
                    tags: tags.split(separator: ",").map(String.init), service: try cells[5].decode(String.self),
                    count: try d(6), sum: try d(7), rate: try d(8), min: try d(9), max: try d(10), mean: try d(11),
                    p50: try d(12), p90: try d(13), p95: try d(14), p99: try d(15), std: try d(16), last: try d(17),
                    unique: try cells[18].decode(Int64?.self).map { Int($0) })
                rollup.exemplarTraceIDs = (try cells[19].decode(String?.self) ?? "").split(separator: ",").compactMap {
                    TraceID(hex: $0)
                }
                return rollup
            }
        }
    }

    /// A shell glob (`*`, `?`, `[…]`) as an anchored POSIX regular expression.
    static func globRegex(_ glob: String) -> String {
        var out = "^"
        var inClass = false
        for ch in glob {
            if inClass {
                out.append(ch)
                if ch == "]" { inClass = false }
                continue
            }
            switch ch {
            case "*": out += ".*"
            case "?": out += "."
            case "[": out += "["; inClass = true
            case ".", "(", ")", "+", "^", "$", "|", "{", "}", "\\": out += "\\" + String(ch)
            default: out.append(ch)
            }
        }
        return out + "$"
    }

    /// Runs one statement in a read-only transaction under the read bound (`statement_timeout`): a statement
    /// that writes fails with SQLSTATE 25006 and is reported as `SQLStatementError.writes`.
    public func sql(_ text: String, limit: Int?) throws -> SQLResult {
        try read { c in
            try c.exec("BEGIN READ ONLY", logger)
            defer { _ = try? c.exec("ROLLBACK", logger) }
            if let readTimeout {
                try c.exec("SET LOCAL statement_timeout = \(Int((readTimeout * 1000).rounded()))", logger)
            }
            let result: PostgresQueryResult
            do {
                result = try c.bounded(
                    c.query(PostgresQuery(unsafeSQL: text), logger: logger), seconds: PostgresConnection.answerSeconds)
            } catch {
                let state = ConnectionPool.sqlState(error)
                if state == "25006" { throw SQLStatementError.writes(ConnectionPool.describe(error)) }
                if state == "57014" { throw StoreError.timedOut(seconds: readTimeout ?? 0) }
                if ConnectionPool.isConnectionError(error) { throw error }
                throw SQLStatementError.invalid(ConnectionPool.describe(error))
            }
            var rows: [[SQLValue]] = []
            var columns: [String] = []
            for row in result.rows {
                if let limit, rows.count >= limit { break }
                let cells = row.makeRandomAccess()
                if columns.isEmpty { columns = cells.map(\.columnName) }
                rows.append(cells.map(Self.sqlValue))
            }
            return SQLResult(columns: columns, rows: rows)
        }
    }

    static func sqlValue(_ cell: PostgresCell) -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8:
            return (try? cell.decode(Int64.self)).map(SQLValue.integer) ?? .null
        case .bool:
            return (try? cell.decode(Bool.self)).map { .integer($0 ? 1 : 0) } ?? .null
        case .float4, .float8:
            return (try? cell.decode(Double.self)).map(SQLValue.real) ?? .null
        case .numeric:
            if let d = try? cell.decode(Decimal.self) { return .real(NSDecimalNumber(decimal: d).doubleValue) }
            return .null
        case .bytea:
            return (try? cell.decode(Data.self)).map { .blob([UInt8]($0)) } ?? .null
        default:
            if let s = try? cell.decode(String.self) { return .text(s) }
            return .text("(\(cell.dataType))")
        }
    }
}
