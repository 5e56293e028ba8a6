import ArgumentParser
import Foundation
import MeshtopModel
import MeshtopStore

/// `meshtop query stats`: the collector's self-metrics, table sizes and last rejected lines.
public struct QueryStatsCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Collector counters (received, parsed, rejected by reason, dropped), rows per table, db size.")

    @OptionGroup public var db: DatabaseOptions

    @Option(help: "table or json (default: table on a terminal, else json).")
    public var format: String?

    @Flag(help: "Also list the last rejected lines (time, reason, source, escaped sample).")
    public var rejects = false

    public init() {}

    public func validate() throws {
        if let f = format, f != "table" && f != "json" {
            throw ValidationError("--format \(f): expected table or json")
        }
    }

    public func run() throws {
        let path = db.resolvedPath
        let stats: CollectorStats
        do {
            let store = try MeshtopStore.openReadOnly(path: path)
            stats = try CollectorStats.read(store, nowMicros: SystemClock.wallMicros(), rejects: rejects)
        } catch let error as StoreError {
            throw MeshtopError.database(error.description)
        } catch {
            throw MeshtopError("cannot read \(path): \(error); check --db PATH", code: MeshtopExit.database)
        }
        let useJSON = format == "json" || (format == nil && isatty(1) == 0)
        print(useJSON ? stats.json() : stats.table())
    }
}

/// What `query stats` shows, read from the store in one go.
struct CollectorStats {
    var counters: [String: Int64]
    var gauges: [String: Double]
    var rows: [String: Int64]
    var dbBytes: Int64
    var nowMicros: Int64
    var rejects: [RejectRecord]?

    static func read(_ store: MeshtopStore, nowMicros: Int64, rejects: Bool) throws -> CollectorStats {
        CollectorStats(
            counters: try store.counters(), gauges: try store.gauges().mapValues(\.value), rows: store.rowCounts(),
            dbBytes: store.databaseBytes(), nowMicros: nowMicros,
            rejects: rejects ? try store.recentRejects(limit: MeshtopStore.rejectsKept) : nil)
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

    func json() -> String {
        func num(_ d: Double?) -> String { d.map { JSONText.number(($0 * 1000).rounded() / 1000) } ?? "null" }
        func obj(_ pairs: [(String, Int64)]) -> String {
            "{" + pairs.map { JSONText.quote($0.0) + ":" + String($0.1) }.joined(separator: ",") + "}"
        }
        var parts = [
            "\"received_datagrams\":\(counter("received_datagrams"))", "\"lines\":\(counter("lines"))",
            "\"parsed\":{\"spans\":\(counter("parsed.spans")),\"logs\":\(counter("parsed.logs")),"
                + "\"metrics\":\(counter("parsed.metrics"))}",
            "\"rejected\":" + obj(rejected), "\"dropped\":\(counter("dropped"))", "\"denied\":\(counter("denied"))",
            "\"batches\":\(counter("batches"))", "\"rows\":" + obj(rows.sorted { $0.key < $1.key }),
            "\"db_bytes\":\(dbBytes)", "\"uptime_s\":" + num(uptimeSeconds),
            "\"last_write_age_s\":" + num(lastWriteAgeSeconds), "\"lines_per_s\":" + num(gauges["lines_per_s"]),
            "\"write_p99_ms\":" + num(gauges["write_p99_ms"]), "\"queue_depth\":" + num(gauges["queue_depth"]),
            "\"running\":\(running)",
            "\"receivers\":{" + receivers.map { JSONText.quote($0.0) + ":" + obj($0.1) }.joined(separator: ",") + "}",
        ]
        if let rejects {
            let items = rejects.map {
                "{\"time\":\"\(RFC3339.format(micros: $0.atMicros))\",\"reason\":\"\($0.reason.rawValue)\","
                    + "\"source\":\(JSONText.quote($0.source)),\"sample\":\(JSONText.quote($0.sample))}"
            }
            parts.append("\"rejects\":[" + items.joined(separator: ",") + "]")
        }
        return "{" + parts.joined(separator: ",") + "}"
    }

    func table() -> String {
        var lines: [(String, String)] = [
            ("collector", running ? "running" : "not running"),
            ("uptime", uptimeSeconds.map { DurationText.format(micros: Int64($0 * 1_000_000)) } ?? "-"),
            ("last write", lastWriteAgeSeconds.map { DurationText.format(micros: Int64($0 * 1_000_000)) + " ago" }
                ?? "-"),
            ("lines/s", gauges["lines_per_s"].map { JSONText.number($0) } ?? "-"),
            ("received datagrams", String(counter("received_datagrams"))), ("lines", String(counter("lines"))),
            ("parsed spans", String(counter("parsed.spans"))), ("parsed logs", String(counter("parsed.logs"))),
            ("parsed metrics", String(counter("parsed.metrics"))), ("dropped", String(counter("dropped"))),
            ("denied", String(counter("denied"))), ("batches", String(counter("batches"))),
            ("database", "\(dbBytes) bytes"),
        ]
        for (reason, n) in rejected { lines.append(("rejected \(reason)", String(n))) }
        for (name, pairs) in receivers {
            for (key, n) in pairs { lines.append(("\(name) \(key.replacingOccurrences(of: "_", with: " "))", String(n))) }
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
