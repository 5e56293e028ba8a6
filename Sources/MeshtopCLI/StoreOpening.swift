import Foundation
import MeshtopCollector
import MeshtopModel
import MeshtopPostgres
import MeshtopQuery
import MeshtopStore

/// The one place the CLI turns `--db`/`$MESHTOP_DB` into a store: a file path is SQLite (`MeshtopStore`), a
/// `postgresql://` or `postgres://` URL is PostgreSQL (`PostgresStore`, docs/scaling.md). Every failure is a
/// `MeshtopError` with exit code 3 whose message never contains the URL's password.
enum StoreOpening {
    enum Target {
        case sqlite(String)
        case postgres(PostgresURL)

        /// For messages: the path, or the URL without its password.
        var display: String {
            switch self {
            case .sqlite(let path): return path
            case .postgres(let url): return url.description
            }
        }
    }

    static func target(_ text: String) throws -> Target {
        guard PostgresURL.isURL(text) else { return .sqlite(text) }
        do {
            return .postgres(try PostgresURL(text))
        } catch {
            throw MeshtopError.usage("\(error)")
        }
    }

    /// Opens the store read-only; each read bounded by `timeout` seconds when given.
    static func reader(_ text: String, timeout: Double?) throws -> any ReplayReader {
        let target = try target(text)
        do {
            switch target {
            case .sqlite(let path): return try MeshtopStore.openReadOnly(path: path, readTimeout: timeout)
            case .postgres(let url): return try PostgresStore.openReadOnly(url: url, readTimeout: timeout)
            }
        } catch {
            throw MeshtopError(QueryRunner.describe(error, path: target.display), code: MeshtopExit.database)
        }
    }

    /// `text` for messages: a URL loses its password.
    static func display(_ text: String) -> String {
        guard PostgresURL.isURL(text) else { return text }
        return (try? PostgresURL(text, environment: [:]).description) ?? "postgresql://…"
    }

    /// The query use cases over the store read-only.
    static func queries(_ text: String, timeout: Double?) throws -> MeshtopQueries {
        MeshtopQueries(reader: try reader(text, timeout: timeout))
    }

    /// What `Collector` opens: nil for SQLite (the collector's default), else a PostgreSQL store tagged with
    /// `collectorID` competing for the governance lead.
    static func collectorStore(_ target: Target, collectorID: String) -> Collector.StoreOpener? {
        guard case .postgres(let url) = target else { return nil }
        return { _ in try PostgresStore.open(url: url, collectorID: collectorID) }
    }

    /// `--collector-id` default: `HOST:PID`.
    static var defaultCollectorID: String {
        ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init)
            .map { $0 + ":" + String(getpid()) } ?? "meshtop:\(getpid())"
    }
}
