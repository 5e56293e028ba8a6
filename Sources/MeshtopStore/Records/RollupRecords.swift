import Foundation
import GRDB
import MeshtopModel

/// A row of `service_rollups`: one service's RED counts and latency histogram for one minute.
struct ServiceRollupRecord: FetchableRecord, PersistableRecord {
    static let databaseTableName = "service_rollups"
    /// A newer version of a (service, minute) row replaces the stored one.
    static let persistenceConflictPolicy = PersistenceConflictPolicy(insert: .replace, update: .replace)

    enum Columns {
        static let minute = Column("minute_us")
        static let service = Column("service")
        static let requests = Column("requests")
        static let errors = Column("errors")
        static let sum = Column("sum_us")
        static let max = Column("max_us")
        static let satisfied = Column("satisfied")
        static let tolerating = Column("tolerating")
        static let histogram = Column("histogram")
    }

    var rollup: ServiceRollup

    init(_ rollup: ServiceRollup) { self.rollup = rollup }

    init(row: Row) throws {
        rollup = ServiceRollup(
            minuteMicros: row[Columns.minute], service: row[Columns.service], requests: row[Columns.requests],
            errors: row[Columns.errors], sumMicros: row[Columns.sum], maxMicros: row[Columns.max],
            satisfied: row[Columns.satisfied], tolerating: row[Columns.tolerating],
            histogram: [UInt8](row[Columns.histogram] as Data))
    }

    func encode(to container: inout PersistenceContainer) {
        container[Columns.minute] = rollup.minuteMicros
        container[Columns.service] = rollup.service
        container[Columns.requests] = rollup.requests
        container[Columns.errors] = rollup.errors
        container[Columns.sum] = rollup.sumMicros
        container[Columns.max] = rollup.maxMicros
        container[Columns.satisfied] = rollup.satisfied
        container[Columns.tolerating] = rollup.tolerating
        container[Columns.histogram] = Data(rollup.histogram)
    }
}

/// A row of `edge_rollups`: one caller → callee edge's counts and latency histogram for one minute.
struct EdgeRollupRecord: FetchableRecord, PersistableRecord {
    static let databaseTableName = "edge_rollups"
    /// A newer version of a (caller, callee, minute) row replaces the stored one.
    static let persistenceConflictPolicy = PersistenceConflictPolicy(insert: .replace, update: .replace)

    enum Columns {
        static let minute = Column("minute_us")
        static let caller = Column("caller")
        static let callee = Column("callee")
        static let calls = Column("calls")
        static let errors = Column("errors")
        static let sum = Column("sum_us")
        static let max = Column("max_us")
        static let histogram = Column("histogram")
    }

    var rollup: EdgeRollup

    init(_ rollup: EdgeRollup) { self.rollup = rollup }

    init(row: Row) throws {
        rollup = EdgeRollup(
            minuteMicros: row[Columns.minute], caller: row[Columns.caller], callee: row[Columns.callee],
            calls: row[Columns.calls], errors: row[Columns.errors], sumMicros: row[Columns.sum],
            maxMicros: row[Columns.max], histogram: [UInt8](row[Columns.histogram] as Data))
    }

    func encode(to container: inout PersistenceContainer) {
        container[Columns.minute] = rollup.minuteMicros
        container[Columns.caller] = rollup.caller
        container[Columns.callee] = rollup.callee
        container[Columns.calls] = rollup.calls
        container[Columns.errors] = rollup.errors
        container[Columns.sum] = rollup.sumMicros
        container[Columns.max] = rollup.maxMicros
        container[Columns.histogram] = Data(rollup.histogram)
    }
}

/// A row of `metric_rollups`: one metric series' flush (docs/storage.md). Tags are stored sorted and joined
/// with commas.
struct MetricRollupRecord: FetchableRecord, PersistableRecord {
    static let databaseTableName = "metric_rollups"

    enum Columns {
        static let time = Column("time_us")
        static let interval = Column("interval_us")
        static let name = Column("name")
        static let type = Column("type")
        static let tags = Column("tags")
        static let service = Column("service")
        static let count = Column("count")
        static let sum = Column("sum")
        static let rate = Column("rate")
        static let min = Column("min")
        static let max = Column("max")
        static let mean = Column("mean")
        static let p50 = Column("p50")
        static let p90 = Column("p90")
        static let p95 = Column("p95")
        static let p99 = Column("p99")
        static let std = Column("std")
        static let last = Column("last")
        static let unique = Column("uniq")
        /// Migration `v8-metric-exemplars`: exemplar trace ids as comma-separated hex, NULL when none.
        static let exemplars = Column("exemplars")
    }

    var rollup: MetricRollup

    init(_ rollup: MetricRollup) { self.rollup = rollup }

    init(row: Row) throws {
        let tags: String = row[Columns.tags]
        rollup = MetricRollup(
            timeMicros: row[Columns.time], intervalMicros: row[Columns.interval], name: row[Columns.name],
            type: MetricType(rawValue: row[Columns.type]) ?? .gauge,
            tags: tags.split(separator: ",").map(String.init), service: row[Columns.service],
            count: row[Columns.count], sum: row[Columns.sum], rate: row[Columns.rate], min: row[Columns.min],
            max: row[Columns.max], mean: row[Columns.mean], p50: row[Columns.p50], p90: row[Columns.p90],
            p95: row[Columns.p95], p99: row[Columns.p99], std: row[Columns.std], last: row[Columns.last],
            unique: row[Columns.unique])
        if let exemplars: String = row[Columns.exemplars] {
            rollup.exemplarTraceIDs = exemplars.split(separator: ",").compactMap { TraceID(hex: $0) }
        }
    }

    func encode(to container: inout PersistenceContainer) {
        container[Columns.time] = rollup.timeMicros
        container[Columns.interval] = rollup.intervalMicros
        container[Columns.name] = rollup.name
        container[Columns.type] = rollup.type.rawValue
        container[Columns.tags] = rollup.tags.sorted().joined(separator: ",")
        container[Columns.service] = rollup.service
        container[Columns.count] = rollup.count
        container[Columns.sum] = rollup.sum
        container[Columns.rate] = rollup.rate
        container[Columns.min] = rollup.min
        container[Columns.max] = rollup.max
        container[Columns.mean] = rollup.mean
        container[Columns.p50] = rollup.p50
        container[Columns.p90] = rollup.p90
        container[Columns.p95] = rollup.p95
        container[Columns.p99] = rollup.p99
        container[Columns.std] = rollup.std
        container[Columns.last] = rollup.last
        container[Columns.unique] = rollup.unique
        container[Columns.exemplars] =
            rollup.exemplarTraceIDs.isEmpty ? nil : rollup.exemplarTraceIDs.map(\.hex).joined(separator: ",")
    }
}

/// A row of `service_concurrency`: one service's in-flight requests over one minute (max, time-weighted p99, and
/// the time at each level as an `InFlightLevels` blob for merging windows).
struct ServiceConcurrencyRecord: FetchableRecord, PersistableRecord {
    static let databaseTableName = "service_concurrency"
    /// A newer version of a (service, minute) row replaces the stored one.
    static let persistenceConflictPolicy = PersistenceConflictPolicy(insert: .replace, update: .replace)

    enum Columns {
        static let minute = Column("minute_us")
        static let service = Column("service")
        static let maxInFlight = Column("max_inflight")
        static let p99InFlight = Column("p99_inflight")
        static let levels = Column("levels")
    }

    var concurrency: ServiceConcurrency

    init(_ concurrency: ServiceConcurrency) { self.concurrency = concurrency }

    init(row: Row) throws {
        concurrency = ServiceConcurrency(
            minuteMicros: row[Columns.minute], service: row[Columns.service], maxInFlight: row[Columns.maxInFlight],
            p99InFlight: row[Columns.p99InFlight], levels: [UInt8](row[Columns.levels] as Data))
    }

    func encode(to container: inout PersistenceContainer) {
        container[Columns.minute] = concurrency.minuteMicros
        container[Columns.service] = concurrency.service
        container[Columns.maxInFlight] = concurrency.maxInFlight
        container[Columns.p99InFlight] = concurrency.p99InFlight
        container[Columns.levels] = Data(concurrency.levels)
    }
}
