import MeshtopModel

/// A rejected line as kept for `meshtop query stats --rejects` (the last 100 only).
public struct RejectRecord: Hashable, Sendable {
    public var atMicros: Int64
    public var reason: RejectReason
    /// Where it came from, e.g. `udp 127.0.0.1:53211`.
    public var source: String
    /// The line's bytes, already escaped for display.
    public var sample: String

    public init(atMicros: Int64, reason: RejectReason, source: String, sample: String) {
        self.atMicros = atMicros
        self.reason = reason
        self.source = source
        self.sample = sample
    }
}

/// Everything the collector persists in one transaction. Raw records are inserted; rollups, breaker and alert
/// states are upserted (the newest version of a row replaces the stored one); counters are added to the stored
/// cumulative values; gauges replace the stored values.
public struct WriteBatch: Sendable {
    /// Inserted into `spans` (and `spans_by_trace`).
    public var spans: [Span]
    /// Inserted into `logs`, and into `logs_fts` in the same transaction unless `defersLogIndexing`.
    public var logs: [LogRecord]
    /// True: the logs go into `logs` only and wait above the `meta` mark `fts_indexed_through` for
    /// `MeshtopStore.indexLogs(maxRows:)` (the collector's writer calls it off the ingest path); searches scan
    /// that tail, so results are the same either way (docs/storage.md, "Full-text search"). False (the default):
    /// indexed in the batch, together with any tail a deferring writer left.
    public var defersLogIndexing = false
    /// Optional, parallel to `spans`: their attributes already encoded (`EncodedJSON.append(_:)`). Used only when
    /// it holds exactly one text per span (as do `spanEventsJSON` and `logAttributesJSON`); otherwise the store
    /// encodes the column itself. Either way the stored text is the same.
    public var spanAttributesJSON = EncodedJSON()
    /// Optional, parallel to `spans`: their events already encoded.
    public var spanEventsJSON = EncodedJSON()
    /// Optional, parallel to `logs`: their attributes already encoded.
    public var logAttributesJSON = EncodedJSON()
    /// Appended to `metric_rollups`.
    public var metricRollups: [MetricRollup]
    /// Upserted by (service, minute).
    public var serviceRollups: [ServiceRollup]
    /// Upserted by (caller, callee, minute).
    public var edgeRollups: [EdgeRollup]
    /// Upserted by (caller, callee, source).
    public var breakerStatuses: [BreakerStatus]
    /// Appended to `breaker_transitions`.
    public var breakerTransitions: [BreakerTransition]
    /// Upserted by fingerprint.
    public var alertStatuses: [AlertStatus]
    /// When true, `alertStatuses` is the whole active alert view: rows not in it (a pending alert that was
    /// dropped, a resolved one past its 15 minutes) are deleted in the same transaction.
    public var replacesAlertView = false
    /// Appended to `alert_history`.
    public var alertTransitions: [AlertTransition]
    /// Appended to `rejects`, which keeps the newest 100.
    public var rejects: [RejectRecord]
    /// Added to `collector_counters` (names such as `lines`, `parsed.spans`, `rejected.malformed_json`).
    public var counterDeltas: [String: Int64]
    /// Replace `collector_gauges` values (names such as `lines_per_s`, `queue_depth`).
    public var gauges: [String: Double]
    /// Health thresholds, limit and concurrency rows (`MeshtopStore+GovernanceExtras.swift`).
    public var governanceExtras = GovernanceExtras()

    public init(
        spans: [Span] = [], logs: [LogRecord] = [], metricRollups: [MetricRollup] = [],
        serviceRollups: [ServiceRollup] = [], edgeRollups: [EdgeRollup] = [], breakerStatuses: [BreakerStatus] = [],
        breakerTransitions: [BreakerTransition] = [], alertStatuses: [AlertStatus] = [],
        alertTransitions: [AlertTransition] = [], rejects: [RejectRecord] = [], counterDeltas: [String: Int64] = [:],
        gauges: [String: Double] = [:]
    ) {
        self.spans = spans
        self.logs = logs
        self.metricRollups = metricRollups
        self.serviceRollups = serviceRollups
        self.edgeRollups = edgeRollups
        self.breakerStatuses = breakerStatuses
        self.breakerTransitions = breakerTransitions
        self.alertStatuses = alertStatuses
        self.alertTransitions = alertTransitions
        self.rejects = rejects
        self.counterDeltas = counterDeltas
        self.gauges = gauges
    }

    /// True when there is nothing to write.
    public var isEmpty: Bool {
        spans.isEmpty && logs.isEmpty && metricRollups.isEmpty && serviceRollups.isEmpty && edgeRollups.isEmpty
            && breakerStatuses.isEmpty && breakerTransitions.isEmpty && alertStatuses.isEmpty && !replacesAlertView
            && alertTransitions.isEmpty && rejects.isEmpty && counterDeltas.isEmpty && gauges.isEmpty
            && governanceExtras.isEmpty
    }

    /// Raw rows (spans + logs) in the batch.
    public var rawCount: Int { spans.count + logs.count }
}
