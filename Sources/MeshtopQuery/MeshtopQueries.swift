import MeshtopModel
import MeshtopStore

/// The read-side use cases over a meshtop store (SPEC §3): each one asks a `StoreReader` for typed values
/// (one consistent snapshot per read, so it works while the collector writes) and shapes them into rows.
public struct MeshtopQueries: QueryReading {
    /// The store read from (a `MeshtopStore` opened read-only in production).
    public let reader: any StoreReader

    public init(reader: any StoreReader) {
        self.reader = reader
    }

    /// Opens the database at `path` read-only. Throws `StoreError.missing` when there is no file. With `timeout`
    /// (seconds), every read is interrupted after that long with `StoreError.timedOut`.
    public static func open(path: String, timeout: Double? = nil) throws -> MeshtopQueries {
        MeshtopQueries(reader: try MeshtopStore.openReadOnly(path: path, readTimeout: timeout))
    }

    /// The newest span start, log time or metric flush in the database (µs); nil when it is empty.
    public func latestEventMicros() throws -> Int64? {
        try reader.latestEventMicros()
    }

    /// Counters and gauges the collector keeps about itself (names of docs/storage.md).
    public func collectorStatus() throws -> CollectorStatus {
        let counters = try reader.counters()
        let gauges = try reader.gauges()
        var rejected: [String: Int64] = [:]
        for (name, value) in counters where name.hasPrefix("rejected.") {
            rejected[String(name.dropFirst("rejected.".count))] = value
        }
        var status = CollectorStatus(
            receivedDatagrams: counters["received_datagrams"] ?? 0,
            lines: counters["lines"] ?? 0, parsedSpans: counters["parsed.spans"] ?? 0,
            parsedLogs: counters["parsed.logs"] ?? 0, parsedMetrics: counters["parsed.metrics"] ?? 0,
            rejected: rejected, dropped: counters["dropped"] ?? 0, linesPerSecond: gauges["lines_per_s"]?.value ?? 0,
            lastWriteMicros: gauges.values.map(\.updatedMicros).max(), databaseBytes: reader.databaseBytes(),
            receiverItems: Dictionary(
                uniqueKeysWithValues: ["otlp_http", "otlp_grpc", "zipkin"].compactMap { name in
                    counters[name + ".items"].map { (name, $0) }
                }),
            receiverRetries: ["otlp_http", "otlp_grpc", "zipkin"].reduce(0) {
                $0 + (counters[$1 + ".retry_after"] ?? 0)
            })
        status.writerStatus = reader.writerStatus()
        return status
    }

    /// Runs one read-only SQL statement and returns its column names and rows. Statements that would write
    /// are refused with `QueryError.readOnly` before they run; several statements are refused too.
    public func sql(_ text: String, limit: Int? = nil) throws -> SQLResult {
        do {
            return try reader.sql(text, limit: limit)
        } catch let error as SQLStatementError {
            switch error {
            case .invalid(let message): throw QueryError.invalidArgument("SQL error: \(message)")
            case .writes(let message): throw QueryError.readOnly(message)
            }
        }
    }
}
