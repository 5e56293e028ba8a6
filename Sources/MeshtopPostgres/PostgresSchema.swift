import Foundation
import Logging
import MeshtopModel
import PostgresNIO

/// The PostgreSQL schema as versioned migrations (`meshtop_migrations`), applied in order, each in its own
/// transaction, under an advisory lock so several collectors starting together migrate once. Migrations are
/// never edited once shipped; changes go in a new one appended to `migrations`.
///
/// Table and column names follow the SQLite schema (docs/storage.md) so `query sql` reads alike; ids are `bytea`
/// (big-endian, as in SQLite), times `bigint` µs since the epoch. Differences: spans, logs and metric rollups are
/// partitioned by day (`PARTITION BY RANGE`, one partition per UTC day, `…_pYYYYMMDD`, plus a `…_default`
/// partition for rows outside the window partitions are made for); rows carry the `collector` that wrote them;
/// the full-text index is a GIN index on `to_tsvector('simple', message)`.
enum PostgresSchema {
    /// Advisory lock keys (`pg_advisory_lock(key)`): "MSHT" << 8 | n.
    static let migrationLockKey: Int64 = 0x4D53_4854_01
    static let partitionLockKey: Int64 = 0x4D53_4854_02
    static let leaderLockKey: Int64 = 0x4D53_4854_03

    /// Tables partitioned by day and the time column they are partitioned on.
    static let partitioned: [(table: String, column: String)] = [
        ("spans", "start_us"), ("logs", "time_us"), ("metric_rollups", "time_us"),
    ]

    /// Every meshtop table, in `rowCounts()` order.
    static let tables = [
        "spans", "logs", "metric_rollups", "service_rollups", "edge_rollups", "breakers", "breaker_transitions",
        "alerts", "alert_history", "collector_counters", "collector_gauges", "rejects", "meta", "health_thresholds",
        "limit_stats", "meshtop_collectors", "service_concurrency",
    ]

    static let migrations: [(name: String, sql: String)] = [
        ("v1", v1), ("v2-links-exemplars-concurrency", v2), ("v3-unmatched-spans", v3),
    ]

    static let v1 = """
        CREATE SEQUENCE spans_id_seq CACHE 1000;
        CREATE TABLE spans(
            id bigint NOT NULL DEFAULT nextval('spans_id_seq'), collector text NOT NULL,
            trace_id bytea NOT NULL, span_id bytea NOT NULL, parent_id bytea, service text NOT NULL,
            name text NOT NULL, kind integer NOT NULL, start_us bigint NOT NULL, duration_us bigint NOT NULL,
            error integer NOT NULL, status integer NOT NULL, status_message text, peer_service text,
            attributes text NOT NULL, events text NOT NULL) PARTITION BY RANGE (start_us);
        CREATE TABLE spans_default PARTITION OF spans DEFAULT;
        CREATE INDEX spans_trace ON spans(trace_id);
        CREATE INDEX spans_start ON spans(start_us);
        CREATE INDEX spans_service_start ON spans(service, start_us);

        CREATE SEQUENCE logs_id_seq CACHE 1000;
        CREATE TABLE logs(
            id bigint NOT NULL DEFAULT nextval('logs_id_seq'), collector text NOT NULL, time_us bigint NOT NULL,
            service text NOT NULL, host text NOT NULL, severity integer NOT NULL, message text NOT NULL,
            trace_id bytea, span_id bytea, attributes text NOT NULL) PARTITION BY RANGE (time_us);
        CREATE TABLE logs_default PARTITION OF logs DEFAULT;
        CREATE INDEX logs_id ON logs(id);
        CREATE INDEX logs_time ON logs(time_us);
        CREATE INDEX logs_service_time ON logs(service, time_us);
        CREATE INDEX logs_trace ON logs(trace_id) WHERE trace_id IS NOT NULL;
        CREATE INDEX logs_fts ON logs USING gin (to_tsvector('simple', message));

        CREATE TABLE metric_rollups(
            collector text NOT NULL, time_us bigint NOT NULL, interval_us bigint NOT NULL, name text NOT NULL,
            type text NOT NULL, tags text NOT NULL, service text NOT NULL, count double precision,
            sum double precision, rate double precision, min double precision, max double precision,
            mean double precision, p50 double precision, p90 double precision, p95 double precision,
            p99 double precision, std double precision, last double precision, uniq bigint)
            PARTITION BY RANGE (time_us);
        CREATE TABLE metric_rollups_default PARTITION OF metric_rollups DEFAULT;
        CREATE INDEX metric_rollups_name_time ON metric_rollups(name, time_us);
        CREATE INDEX metric_rollups_time ON metric_rollups(time_us);

        CREATE TABLE service_rollups(
            collector text NOT NULL, minute_us bigint NOT NULL, service text NOT NULL, requests bigint NOT NULL,
            errors bigint NOT NULL, sum_us bigint NOT NULL, max_us bigint NOT NULL, satisfied bigint NOT NULL,
            tolerating bigint NOT NULL, histogram bytea NOT NULL, PRIMARY KEY(collector, service, minute_us));
        CREATE INDEX service_rollups_minute ON service_rollups(minute_us);

        CREATE TABLE edge_rollups(
            collector text NOT NULL, minute_us bigint NOT NULL, caller text NOT NULL, callee text NOT NULL,
            calls bigint NOT NULL, errors bigint NOT NULL, sum_us bigint NOT NULL, max_us bigint NOT NULL,
            histogram bytea NOT NULL, PRIMARY KEY(collector, caller, callee, minute_us));
        CREATE INDEX edge_rollups_minute ON edge_rollups(minute_us);

        CREATE TABLE breakers(
            caller text NOT NULL, callee text NOT NULL, source text NOT NULL, state text NOT NULL,
            failure_rate double precision, slow_call_rate double precision, calls_in_window bigint NOT NULL,
            would_reject bigint NOT NULL, since_us bigint NOT NULL, last_call_us bigint NOT NULL,
            transitions bigint NOT NULL, PRIMARY KEY(caller, callee, source));
        CREATE TABLE breaker_transitions(
            id bigserial PRIMARY KEY, collector text NOT NULL, caller text NOT NULL, callee text NOT NULL,
            source text NOT NULL, at_us bigint NOT NULL, from_state text NOT NULL, to_state text NOT NULL,
            failure_rate double precision, slow_call_rate double precision, calls bigint NOT NULL,
            failed_calls bigint NOT NULL, slow_calls bigint NOT NULL);
        CREATE INDEX breaker_transitions_at ON breaker_transitions(at_us);
        CREATE INDEX breaker_transitions_edge ON breaker_transitions(caller, callee, at_us);

        CREATE TABLE alerts(
            fingerprint text PRIMARY KEY, rule text NOT NULL, severity text NOT NULL, labels text NOT NULL,
            state text NOT NULL, value double precision NOT NULL, since_us bigint NOT NULL, fired_at_us bigint,
            resolved_at_us bigint, summary text NOT NULL);
        CREATE TABLE alert_history(
            id bigserial PRIMARY KEY, collector text NOT NULL, fingerprint text NOT NULL, rule text NOT NULL,
            severity text NOT NULL, labels text NOT NULL, from_state text NOT NULL, to_state text NOT NULL,
            at_us bigint NOT NULL, value double precision NOT NULL, summary text NOT NULL);
        CREATE INDEX alert_history_at ON alert_history(at_us);
        CREATE INDEX alert_history_fingerprint ON alert_history(fingerprint, at_us);

        CREATE TABLE health_thresholds(
            position integer PRIMARY KEY, match text NOT NULL, apdex_t_us bigint NOT NULL,
            latency_objective_us bigint NOT NULL, error_rate_degraded double precision NOT NULL,
            error_rate_failing double precision NOT NULL, min_apdex double precision NOT NULL,
            updated_us bigint NOT NULL);
        CREATE TABLE limit_stats(
            minute_us bigint NOT NULL, rule text NOT NULL, service text NOT NULL, caller text NOT NULL,
            callee text NOT NULL, passed bigint NOT NULL, blocked bigint NOT NULL, queued bigint NOT NULL,
            PRIMARY KEY(minute_us, rule, service, caller, callee));

        CREATE TABLE collector_counters(
            collector text NOT NULL, name text NOT NULL, value bigint NOT NULL, PRIMARY KEY(collector, name));
        CREATE TABLE collector_gauges(
            collector text NOT NULL, name text NOT NULL, value double precision NOT NULL,
            updated_us bigint NOT NULL, PRIMARY KEY(collector, name));
        CREATE TABLE rejects(
            id bigserial PRIMARY KEY, collector text NOT NULL, at_us bigint NOT NULL, reason text NOT NULL,
            source text NOT NULL, sample text NOT NULL);
        CREATE TABLE meshtop_collectors(
            collector text PRIMARY KEY, status text NOT NULL, leader boolean NOT NULL, started_us bigint NOT NULL,
            updated_us bigint NOT NULL);
        CREATE TABLE meta(key text PRIMARY KEY, value text NOT NULL);
        """

    /// As SQLite's v6–v8: span links (NULL without links, else `SpanLinksJSON` text), OTLP exemplars' trace ids on
    /// metric rollups (comma-separated hex, NULL when none), and in-flight requests per collector, service and
    /// minute (each collector's share: see docs/scaling.md).
    static let v2 = """
        ALTER TABLE spans ADD COLUMN links text;
        ALTER TABLE metric_rollups ADD COLUMN exemplars text;
        CREATE TABLE service_concurrency(
            collector text NOT NULL, minute_us bigint NOT NULL, service text NOT NULL, max_inflight bigint NOT NULL,
            p99_inflight bigint NOT NULL, levels bytea NOT NULL, PRIMARY KEY(collector, service, minute_us));
        CREATE INDEX service_concurrency_minute ON service_concurrency(minute_us)
        """

    /// Spans whose parent the collector that received them did not see (`UnmatchedChild`), kept about an hour for
    /// the governance leader to join with parents other collectors stored (docs/scaling.md, "Edges across
    /// collectors"); the leader's joined edges are `edge_rollups` rows of collector `(joined)`.
    static let v3 = """
        CREATE TABLE unmatched_spans(
            collector text NOT NULL, end_us bigint NOT NULL, trace_id bytea NOT NULL, parent_id bytea NOT NULL,
            service text NOT NULL, kind integer NOT NULL, error integer NOT NULL, duration_us bigint NOT NULL);
        CREATE INDEX unmatched_spans_end ON unmatched_spans(end_us)
        """

    /// The `collector` of the edge rollups the governance leader joins across collectors: parentheses, which no
    /// host name (the default collector id) contains.
    static let joinedCollector = "(joined)"

    /// Applies the migrations not yet recorded. Refuses a database that has tables but no `meshtop_migrations`
    /// (another program's), or a migration this version does not know (a newer meshtop's).
    static func migrate(_ c: PostgresConnection, location: String, logger: Logger) throws {
        try c.exec("SELECT pg_advisory_lock(\(migrationLockKey))", logger)
        defer { _ = try? c.exec("SELECT pg_advisory_unlock(\(migrationLockKey))", logger) }
        let hasTable =
            try c.run(
                "SELECT to_regclass('meshtop_migrations') IS NOT NULL", logger
            ).first?.decode(Bool.self) ?? false
        if !hasTable {
            let others =
                try c.run(
                    """
                    SELECT count(*)::bigint FROM pg_tables
                    WHERE schemaname = current_schema() AND tablename = ANY(\(tables))
                    """, logger
                ).first?.decode(Int64.self) ?? 0
            if others > 0 {
                throw PostgresStoreError.notMeshtop(
                    location: location, reason: "it has tables named like meshtop's but no meshtop_migrations")
            }
            try c.exec(
                "CREATE TABLE IF NOT EXISTS meshtop_migrations(name text PRIMARY KEY, applied_us bigint NOT NULL)",
                logger)
        }
        let applied = Set(try c.run("SELECT name FROM meshtop_migrations", logger).map { try $0.decode(String.self) })
        let known = Set(migrations.map(\.name))
        if let unknown = applied.subtracting(known).sorted().first {
            throw PostgresStoreError.notMeshtop(
                location: location, reason: "its schema has migration \(unknown), from a newer meshtop")
        }
        for (name, sql) in migrations where !applied.contains(name) {
            try c.exec("BEGIN", logger)
            do {
                // The extended protocol runs one statement at a time.
                for statement in sql.components(separatedBy: ";\n") {
                    let text = statement.trimmingCharacters(in: .whitespacesAndNewlines)
                    if !text.isEmpty { try c.exec(text, logger) }
                }
                let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
                try c.run("INSERT INTO meshtop_migrations(name, applied_us) VALUES (\(name), \(now))", logger)
                if name == "v1" {
                    try c.run(
                        """
                        INSERT INTO meta(key, value) VALUES ('created_us', \(String(now))), ('schema', 'meshtop v1')
                        """, logger)
                }
                try c.exec("COMMIT", logger)
            } catch {
                _ = try? c.exec("ROLLBACK", logger)
                throw error
            }
        }
    }
}

/// UTC days: partition names and bounds.
enum Day {
    static let micros: Int64 = 86_400_000_000

    static func of(_ timeMicros: Int64) -> Int64 {
        timeMicros >= 0 ? timeMicros / micros : (timeMicros - micros + 1) / micros
    }

    /// `YYYYMMDD` of a day number (days since 1970-01-01), civil calendar.
    static func name(_ day: Int64) -> String {
        let (y, m, d) = RFC3339.civil(fromDays: day)
        return String(format: "%04d%02d%02d", Int(y), Int(m), Int(d))
    }
}
