import Foundation
import MeshtopModel
import MeshtopStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `query stats`: the collector's self-metrics, rows per table, database size and the last rejected lines, read
/// in one go. `record` is the JSON shape of docs/query.md (rendered by `JSONRenderer`); `lines` the table.
public struct CollectorStats: Sendable {
    public var counters: [String: Int64]
    public var gauges: [String: Double]
    public var rows: [String: Int64]
    public var dbBytes: Int64
    public var nowMicros: Int64
    public var rejects: [RejectRecord]?
    /// What the running writer says of itself ("disk full since …, retrying"), nil when all is well.
    public var writerStatus: String? = nil

    public init(
        counters: [String: Int64], gauges: [String: Double], rows: [String: Int64], dbBytes: Int64, nowMicros: Int64,
        rejects: [RejectRecord]?, writerStatus: String? = nil
    ) {
        self.writerStatus = writerStatus
        self.counters = counters
        self.gauges = gauges
        self.rows = rows
        self.dbBytes = dbBytes
        self.nowMicros = nowMicros
        self.rejects = rejects
    }

    func counter(_ name: String) -> Int64 { counters[name] ?? 0 }

    var rejected: [(String, Int64)] {
        counters.filter { $0.key.hasPrefix("rejected.") }.map { (String($0.key.dropFirst(9)), $0.value) }
            .sorted { $0.0 < $1.0 }
    }

    /// The HTTP/gRPC receivers' counters (`otlp_http.requests` → ("otlp_http", "requests", n)), by receiver.
    static let receiverNames = ["otlp_http", "otlp_grpc", "zipkin"]

    var receivers: [(String, [(String, Int64)])] {
        Self.receiverNames.compactMap { name in
            let prefix = name + "."
            let pairs = counters.filter { $0.key.hasPrefix(prefix) }
                .map { (String($0.key.dropFirst(prefix.count)), $0.value) }.sorted { $0.0 < $1.0 }
            return pairs.isEmpty ? nil : (name, pairs)
        }
    }

    /// Whether the collector that wrote `pid` still runs (a stopped collector's uptime ends at its last write).
    var running: Bool {
        guard let pid = gauges["pid"], pid > 0 else { return false }
        return kill(pid_t(pid), 0) == 0 || errno == EPERM
    }

    var uptimeSeconds: Double? {
        guard let started = gauges["started_us"] else { return nil }
        let end = running ? Double(nowMicros) : (gauges["last_write_us"] ?? started)
        return max(0, (end - started) / 1_000_000)
    }

    var lastWriteAgeSeconds: Double? {
        guard let w = gauges["last_write_us"], w > 0 else { return nil }
        return max(0, (Double(nowMicros) - w) / 1_000_000)
    }

    /// The JSON object of docs/query.md ("query stats").
    public var record: OutputValue {
        func num(_ d: Double?) -> OutputValue { d.map { .number(($0 * 1000).rounded() / 1000, decimals: 3) } ?? .null }
        func obj(_ pairs: [(String, Int64)]) -> OutputValue { .object(pairs.map { OutputField($0.0, .int($0.1)) }) }
        var fields = [
            OutputField("received_datagrams", .int(counter("received_datagrams"))),
            OutputField("lines", .int(counter("lines"))),
            OutputField(
                "parsed",
                .object([
                    OutputField("spans", .int(counter("parsed.spans"))),
                    OutputField("logs", .int(counter("parsed.logs"))),
                    OutputField("metrics", .int(counter("parsed.metrics"))),
                ])),
            OutputField("rejected", obj(rejected)), OutputField("dropped", .int(counter("dropped"))),
            OutputField("dropped_kernel", .int(counter("dropped.kernel"))),
            OutputField("denied", .int(counter("denied"))), OutputField("batches", .int(counter("batches"))),
            OutputField("rows", obj(rows.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })),
            OutputField("db_bytes", .int(dbBytes)), OutputField("uptime_s", num(uptimeSeconds)),
            OutputField("last_write_age_s", num(lastWriteAgeSeconds)),
            OutputField("lines_per_s", num(gauges["lines_per_s"])),
            OutputField("write_p99_ms", num(gauges["write_p99_ms"])),
            OutputField("queue_depth", num(gauges["queue_depth"])),
            OutputField("log_index_lag", num(gauges["log_index_lag"])), OutputField("running", .bool(running)),
            OutputField("writer_status", writerStatus.map { .text($0) } ?? .null),
            OutputField("receivers", .object(receivers.map { OutputField($0.0, obj($0.1)) })),
        ]
        if let rejects {
            fields.append(
                OutputField(
                    "rejects",
                    .list(
                        rejects.map {
                            .object([
                                OutputField("time", .time($0.atMicros)),
                                OutputField("reason", .text($0.reason.rawValue)),
                                OutputField("source", .text($0.source)), OutputField("sample", .text($0.sample)),
                            ])
                        })))
        }
        return .object(fields)
    }

    /// The aligned `name  value` lines of the table format, then the rejected lines.
    public var lines: String {
        var lines: [(String, String)] = [
            ("collector", (running ? "running" : "not running") + (writerStatus.map { ": " + $0.uppercased() } ?? "")),
            ("uptime", uptimeSeconds.map { DurationText.format(micros: Int64($0 * 1_000_000)) } ?? "-"),
            (
                "last write",
                lastWriteAgeSeconds.map { DurationText.format(micros: Int64($0 * 1_000_000)) + " ago" }
                    ?? "-"
            ),
            ("lines/s", gauges["lines_per_s"].map { JSONText.number($0) } ?? "-"),
            ("received datagrams", String(counter("received_datagrams"))), ("lines", String(counter("lines"))),
            ("parsed spans", String(counter("parsed.spans"))), ("parsed logs", String(counter("parsed.logs"))),
            ("parsed metrics", String(counter("parsed.metrics"))), ("dropped", String(counter("dropped"))),
            ("dropped by kernel", String(counter("dropped.kernel"))),
            ("denied", String(counter("denied"))), ("batches", String(counter("batches"))),
            ("database", "\(dbBytes) bytes"),
        ]
        for (reason, n) in rejected { lines.append(("rejected \(reason)", String(n))) }
        for (name, pairs) in receivers {
            for (key, n) in pairs {
                lines.append(("\(name) \(key.replacingOccurrences(of: "_", with: " "))", String(n)))
            }
        }
        for (table, n) in rows.sorted(by: { $0.key < $1.key }) { lines.append(("rows \(table)", String(n))) }
        let width = lines.map(\.0.count).max() ?? 0
        var out = lines.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
        if let rejects {
            out.append("")
            out.append(rejects.isEmpty ? "no rejected lines" : "last \(rejects.count) rejected lines:")
            for r in rejects {
                out.append(
                    "\(RFC3339.format(micros: r.atMicros))  \(r.reason.rawValue)  \(Sanitizer.escape(r.source))  "
                        + Sanitizer.escape(r.sample))
            }
        }
        return out.joined(separator: "\n")
    }
}

extension MeshtopQueries {
    /// `query stats`: counters, gauges, row counts and database size, and with `rejects` the last rejected lines.
    public func stats(nowMicros: Int64, rejects: Bool) throws -> CollectorStats {
        CollectorStats(
            counters: try reader.counters(), gauges: try reader.gauges().mapValues(\.value), rows: reader.rowCounts(),
            dbBytes: reader.databaseBytes(), nowMicros: nowMicros,
            rejects: rejects ? try reader.recentRejects(limit: MeshtopStore.rejectsKept) : nil,
            writerStatus: reader.writerStatus())
    }
}
