import GRDB
import MeshtopModel

/// A row of `collector_counters`: a cumulative count since the database was created (`lines`,
/// `parsed.spans`, `rejected.malformed_json`, …). Writes add to the stored value (`add(_:_:)`).
struct CollectorCounterRecord: FetchableRecord, TableRecord {
    static let databaseTableName = "collector_counters"

    enum Columns {
        static let name = Column("name")
        static let value = Column("value")
    }

    var name: String
    var value: Int64

    init(row: Row) throws {
        name = row[Columns.name]
        value = row[Columns.value]
    }

    /// Adds `delta` to the counter `name` (created at 0).
    static func add(_ name: String, _ delta: Int64, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO collector_counters(name, value) VALUES (?, ?)
                ON CONFLICT(name) DO UPDATE SET value = value + excluded.value
                """
        ).execute(arguments: [name, delta])
    }
}

/// A row of `collector_gauges`: the latest value of a gauge (`lines_per_s`, `queue_depth`, …) and when it was
/// written (wall clock, µs).
struct CollectorGaugeRecord: FetchableRecord, PersistableRecord {
    static let databaseTableName = "collector_gauges"
    static let persistenceConflictPolicy = PersistenceConflictPolicy(insert: .replace, update: .replace)

    enum Columns {
        static let name = Column("name")
        static let value = Column("value")
        static let updated = Column("updated_us")
    }

    var name: String
    var gauge: StoredGauge

    init(name: String, gauge: StoredGauge) {
        self.name = name
        self.gauge = gauge
    }

    init(row: Row) throws {
        name = row[Columns.name]
        gauge = StoredGauge(value: row[Columns.value], updatedMicros: row[Columns.updated])
    }

    func encode(to container: inout PersistenceContainer) {
        container[Columns.name] = name
        container[Columns.value] = gauge.value
        container[Columns.updated] = gauge.updatedMicros
    }
}

/// A collector gauge as stored: its value and the wall-clock time (µs) it was written.
public struct StoredGauge: Hashable, Sendable {
    public var value: Double
    public var updatedMicros: Int64

    public init(value: Double, updatedMicros: Int64) {
        self.value = value
        self.updatedMicros = updatedMicros
    }
}

/// `rejects` rows are `RejectRecord`s: the newest `MeshtopStore.rejectsKept` rejected lines.
extension RejectRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "rejects"

    public enum Columns {
        static let id = Column("id")
        static let at = Column("at_us")
        static let reason = Column("reason")
        static let source = Column("source")
        static let sample = Column("sample")
    }

    public init(row: Row) throws {
        self.init(
            atMicros: row[Columns.at], reason: RejectReason(rawValue: row[Columns.reason]) ?? .unknownFormat,
            source: row[Columns.source], sample: row[Columns.sample])
    }

    public func encode(to container: inout PersistenceContainer) {
        container[Columns.at] = atMicros
        container[Columns.reason] = reason.rawValue
        container[Columns.source] = source
        container[Columns.sample] = sample
    }
}
