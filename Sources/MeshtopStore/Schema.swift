import GRDB
import MeshtopModel

/// The schema, as GRDB migrations. Table and column names are a contract with the query layer and the other
/// helpers (docs/storage.md). Migrations use plain SQL with string names and are never edited once shipped:
/// changes go in a new migration appended to `migrator`.
enum Schema {
    static let migrator: DatabaseMigrator = {
        var m = DatabaseMigrator()
        m.registerMigration("v1", migrate: createV1)
        m.registerMigration("v2-fts-automerge", migrate: ftsAutomergeV2)
        m.registerMigration("v3-application-id", migrate: applicationIDV3)
        m.registerMigration("v4-health-thresholds", migrate: healthThresholdsV4)
        m.registerMigration("v5-limit-stats", migrate: limitStatsV5)
        m.registerMigration("v6-service-concurrency", migrate: serviceConcurrencyV6)
        m.registerMigration("v7-span-links", migrate: spanLinksV7)
        m.registerMigration("v8-metric-exemplars", migrate: metricExemplarsV8)
        m.registerMigration("v9-fts-detail-none", migrate: ftsDetailNoneV9)
        m.registerMigration("v10-log-blocks", migrate: logBlocksV10)
        return m
    }()

    /// Every table a meshtop database has, in `rowCounts()` order.
    static let tables = [
        "spans", "logs", "metric_rollups", "service_rollups", "edge_rollups", "breakers", "breaker_transitions",
        "alerts", "alert_history", "collector_counters", "collector_gauges", "rejects", "meta", "health_thresholds",
        "limit_stats", "service_concurrency", "log_blocks", "log_zones",
    ]

    /// FTS5 merges segments once `automerge` of them sit on one level (default 4). At 8, each log insert does
    /// less merge work (log rows per CPU-second +10 % measured, docs/storage.md) for slightly more segments per
    /// query (FTS word, newest 100: 0.36 -> 0.47 ms). Stored in `logs_fts_config`, so it applies to every
    /// connection.
    static let ftsAutomerge = 8

    private static func ftsAutomergeV2(_ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO logs_fts(logs_fts, rank) VALUES ('automerge', ?)", arguments: [ftsAutomerge])
    }

    /// Stamps the file as meshtop's (`StoreInspection.applicationID`), new databases and those of earlier
    /// versions alike, so a later open can tell it from another program's database before writing anything.
    private static func applicationIDV3(_ db: Database) throws {
        try db.execute(sql: "PRAGMA application_id = \(StoreInspection.applicationID)")
    }

    /// The health thresholds of the rules the collector runs, so readers judge health as the collector does
    /// (`MeshtopStore+GovernanceExtras.swift`).
    private static func healthThresholdsV4(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE health_thresholds(
                    position INTEGER PRIMARY KEY, match TEXT NOT NULL, apdex_t_us INTEGER NOT NULL,
                    latency_objective_us INTEGER NOT NULL, error_rate_degraded REAL NOT NULL,
                    error_rate_failing REAL NOT NULL, min_apdex REAL NOT NULL, updated_us INTEGER NOT NULL);
                """)
    }

    /// Flow rule decisions per rule, resource and minute (`MeshtopStore+GovernanceExtras.swift`); pruned with
    /// the rollups.
    private static func limitStatsV5(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE limit_stats(
                    minute_us INTEGER NOT NULL, rule TEXT NOT NULL, service TEXT NOT NULL, caller TEXT NOT NULL,
                    callee TEXT NOT NULL, passed INTEGER NOT NULL, blocked INTEGER NOT NULL, queued INTEGER NOT NULL,
                    PRIMARY KEY(minute_us, rule, service, caller, callee));
                """)
    }

    /// In-flight requests per service and minute (`ServiceConcurrencyRecord`); pruned with the rollups.
    private static func serviceConcurrencyV6(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE service_concurrency(
                    minute_us INTEGER NOT NULL, service TEXT NOT NULL, max_inflight INTEGER NOT NULL,
                    p99_inflight INTEGER NOT NULL, levels BLOB NOT NULL, PRIMARY KEY(service, minute_us));
                CREATE INDEX service_concurrency_minute ON service_concurrency(minute_us);
                """)
    }

    /// Span links (`SpanLinksJSON`): a nullable JSON column, NULL for a span without links.
    private static func spanLinksV7(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE spans ADD COLUMN links TEXT")
    }

    /// OTLP exemplars' trace ids on metric rollups (`MetricRollupRecord.Columns.exemplars`), NULL when none.
    private static func metricExemplarsV8(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE metric_rollups ADD COLUMN exemplars TEXT")
    }

    /// `logs_fts` without token positions or per-row sizes (`detail=none, columnsize=0`): the index keeps, per
    /// token, only the rowids of the messages that have it, and no `logs_fts_docsize` row per message. Log rows
    /// per CPU-second rise by a third of the index's cost (docs/storage.md, "Full-text search"). Searches ask for
    /// every token and check the order of a word's several tokens themselves (`TailTextMatcher.checksOrder`);
    /// `bm25()` and phrase or `NEAR` queries in `query sql` are no longer available on this table. Existing rows
    /// are indexed again here, once, in this migration's transaction (about 2 s per million log rows).
    private static func ftsDetailNoneV9(_ db: Database) throws {
        try db.execute(
            sql: """
                DROP TABLE logs_fts;
                CREATE VIRTUAL TABLE logs_fts USING fts5(
                    message, content='logs', content_rowid='id', detail=none, columnsize=0);
                INSERT INTO logs_fts(logs_fts) VALUES ('rebuild');
                DELETE FROM meta WHERE key = 'fts_indexed_through';
                """)
        try ftsAutomergeV2(db)
    }

    /// `log_blocks` and `log_zones` (`LogZones`) instead of the per-row indexes `logs_time` and
    /// `logs_service_time`: a log row's insert no longer updates two b-trees (docs/storage.md, "Log blocks and
    /// zones"). Existing rows get blocks of 4,096 ids and, per service, zones of 1,024 ids without posting lists
    /// (every row of the range is a candidate), in this migration's transaction.
    private static func logBlocksV10(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE log_blocks(
                    first_id INTEGER PRIMARY KEY, last_id INTEGER NOT NULL, min_time_us INTEGER NOT NULL,
                    max_time_us INTEGER NOT NULL, rows INTEGER NOT NULL);
                CREATE INDEX log_blocks_max_time ON log_blocks(max_time_us);
                CREATE INDEX log_blocks_min_time ON log_blocks(min_time_us);
                CREATE TABLE log_zones(
                    service TEXT NOT NULL, last_id INTEGER NOT NULL, first_id INTEGER NOT NULL,
                    min_time_us INTEGER NOT NULL, max_time_us INTEGER NOT NULL, rows INTEGER NOT NULL, ids BLOB,
                    PRIMARY KEY(service, last_id)) WITHOUT ROWID;
                CREATE INDEX log_zones_time ON log_zones(service, max_time_us);
                CREATE INDEX log_zones_last ON log_zones(last_id);
                INSERT INTO log_blocks(first_id, last_id, min_time_us, max_time_us, rows)
                    SELECT min(id), max(id), min(time_us), max(time_us), count(*) FROM logs GROUP BY id >> 12;
                INSERT INTO log_zones(service, last_id, first_id, min_time_us, max_time_us, rows, ids)
                    SELECT service, max(id), min(id), min(time_us), max(time_us), count(*), NULL FROM logs
                    GROUP BY service, id >> 10;
                DROP INDEX logs_time;
                DROP INDEX logs_service_time;
                """)
    }

    private static func createV1(_ db: Database) throws {
        // Raw spans: rowid table (append order ~ time order), so inserts append to the table b-tree. No index
        // on trace_id alone: a random-key index that outgrows the page cache dominates insert cost (measured in
        // docs/storage.md). Trace lookups go through `spans_by_trace`, keyed by (rowid >> 16, trace_id), whose
        // inserts all land in the newest bucket's few hundred pages; see `TraceLookup`.
        try db.execute(
            sql: """
                CREATE TABLE spans(
                    trace_id BLOB NOT NULL, span_id BLOB NOT NULL, parent_id BLOB, service TEXT NOT NULL,
                    name TEXT NOT NULL, kind INTEGER NOT NULL, start_us INTEGER NOT NULL, duration_us INTEGER NOT NULL,
                    error INTEGER NOT NULL, status INTEGER NOT NULL, status_message TEXT, peer_service TEXT,
                    attributes TEXT NOT NULL, events TEXT NOT NULL);
                CREATE INDEX spans_start ON spans(start_us);
                CREATE TABLE spans_by_trace(
                    bucket INTEGER NOT NULL, trace_id BLOB NOT NULL, span_rowid INTEGER NOT NULL,
                    PRIMARY KEY(bucket, trace_id, span_rowid)) WITHOUT ROWID;

                CREATE TABLE logs(
                    id INTEGER PRIMARY KEY, time_us INTEGER NOT NULL, service TEXT NOT NULL, host TEXT NOT NULL,
                    severity INTEGER NOT NULL, message TEXT NOT NULL, trace_id BLOB, span_id BLOB,
                    attributes TEXT NOT NULL);
                CREATE INDEX logs_time ON logs(time_us);
                CREATE INDEX logs_service_time ON logs(service, time_us);
                CREATE INDEX logs_trace ON logs(id >> 16, trace_id) WHERE trace_id IS NOT NULL;
                CREATE VIRTUAL TABLE logs_fts USING fts5(message, content='logs', content_rowid='id');

                CREATE TABLE metric_rollups(
                    time_us INTEGER NOT NULL, interval_us INTEGER NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,
                    tags TEXT NOT NULL, service TEXT NOT NULL, count REAL, sum REAL, rate REAL, min REAL, max REAL,
                    mean REAL, p50 REAL, p90 REAL, p95 REAL, p99 REAL, std REAL, last REAL, uniq INTEGER);
                CREATE INDEX metric_rollups_name_time ON metric_rollups(name, time_us);
                CREATE INDEX metric_rollups_time ON metric_rollups(time_us);

                CREATE TABLE service_rollups(
                    minute_us INTEGER NOT NULL, service TEXT NOT NULL, requests INTEGER NOT NULL,
                    errors INTEGER NOT NULL, sum_us INTEGER NOT NULL, max_us INTEGER NOT NULL,
                    satisfied INTEGER NOT NULL, tolerating INTEGER NOT NULL, histogram BLOB NOT NULL,
                    PRIMARY KEY(service, minute_us));
                CREATE INDEX service_rollups_minute ON service_rollups(minute_us);

                CREATE TABLE edge_rollups(
                    minute_us INTEGER NOT NULL, caller TEXT NOT NULL, callee TEXT NOT NULL, calls INTEGER NOT NULL,
                    errors INTEGER NOT NULL, sum_us INTEGER NOT NULL, max_us INTEGER NOT NULL, histogram BLOB NOT NULL,
                    PRIMARY KEY(caller, callee, minute_us));
                CREATE INDEX edge_rollups_minute ON edge_rollups(minute_us);

                CREATE TABLE breakers(
                    caller TEXT NOT NULL, callee TEXT NOT NULL, source TEXT NOT NULL, state TEXT NOT NULL,
                    failure_rate REAL, slow_call_rate REAL, calls_in_window INTEGER NOT NULL,
                    would_reject INTEGER NOT NULL, since_us INTEGER NOT NULL, last_call_us INTEGER NOT NULL,
                    transitions INTEGER NOT NULL, PRIMARY KEY(caller, callee, source));

                CREATE TABLE breaker_transitions(
                    id INTEGER PRIMARY KEY, caller TEXT NOT NULL, callee TEXT NOT NULL, source TEXT NOT NULL,
                    at_us INTEGER NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL, failure_rate REAL,
                    slow_call_rate REAL, calls INTEGER NOT NULL, failed_calls INTEGER NOT NULL,
                    slow_calls INTEGER NOT NULL);
                CREATE INDEX breaker_transitions_at ON breaker_transitions(at_us);
                CREATE INDEX breaker_transitions_edge ON breaker_transitions(caller, callee, at_us);

                CREATE TABLE alerts(
                    fingerprint TEXT PRIMARY KEY, rule TEXT NOT NULL, severity TEXT NOT NULL, labels TEXT NOT NULL,
                    state TEXT NOT NULL, value REAL NOT NULL, since_us INTEGER NOT NULL, fired_at_us INTEGER,
                    resolved_at_us INTEGER, summary TEXT NOT NULL);
                CREATE TABLE alert_history(
                    id INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL,
                    labels TEXT NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL, at_us INTEGER NOT NULL,
                    value REAL NOT NULL, summary TEXT NOT NULL);
                CREATE INDEX alert_history_at ON alert_history(at_us);
                CREATE INDEX alert_history_fingerprint ON alert_history(fingerprint, at_us);

                CREATE TABLE collector_counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
                CREATE TABLE collector_gauges(
                    name TEXT PRIMARY KEY, value REAL NOT NULL, updated_us INTEGER NOT NULL) WITHOUT ROWID;
                CREATE TABLE rejects(
                    id INTEGER PRIMARY KEY, at_us INTEGER NOT NULL, reason TEXT NOT NULL, source TEXT NOT NULL,
                    sample TEXT NOT NULL);
                CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                """)
        try db.execute(
            sql: "INSERT INTO meta(key, value) VALUES ('created_us', ?), ('schema', 'meshtop v1')",
            arguments: [SystemClock.wallMicros()])
    }
}
