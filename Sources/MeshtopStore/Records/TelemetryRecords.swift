import Foundation
import GRDB
import MeshtopModel

/// A row of `spans`. `span` carries every column except attributes, events and links, which stay as their
/// stored JSON text (`JSONText.encode`, `SpanLinksJSON`) so reading never needs a JSON parser;
/// `span.attributes`/`events`/`links` are empty.
/// Spans are written by the batched insert path (`insertSpans`, bound column by column); this type names the
/// columns and reads them back.
public struct StoredSpan: Hashable, Sendable, FetchableRecord, TableRecord {
    public static let databaseTableName = "spans"

    public enum Columns {
        static let traceID = Column("trace_id")
        static let spanID = Column("span_id")
        static let parentID = Column("parent_id")
        static let service = Column("service")
        static let name = Column("name")
        static let kind = Column("kind")
        static let start = Column("start_us")
        static let duration = Column("duration_us")
        static let error = Column("error")
        static let status = Column("status")
        static let statusMessage = Column("status_message")
        static let peerService = Column("peer_service")
        static let attributes = Column("attributes")
        static let events = Column("events")
        static let links = Column("links")
    }

    public var span: Span
    /// JSON object text.
    public var attributesJSON: String
    /// JSON array text.
    public var eventsJSON: String
    /// JSON array text (`SpanLinksJSON`), nil for a span without links (or a row read without the column).
    public var linksJSON: String?

    public init(row: Row) throws {
        span = Span(
            traceID: TraceID(databaseBlob: row[Columns.traceID]) ?? TraceID(high: 0, low: 0),
            spanID: SpanID(databaseBlob: row[Columns.spanID]) ?? SpanID(0),
            parentID: (row[Columns.parentID] as Data?).flatMap { SpanID(databaseBlob: $0) },
            service: row[Columns.service], name: row[Columns.name],
            kind: SpanKind(rawValue: row[Columns.kind]) ?? .unspecified, startMicros: row[Columns.start],
            durationMicros: row[Columns.duration], isError: row[Columns.error],
            status: StatusCode(rawValue: row[Columns.status]) ?? .unset, statusMessage: row[Columns.statusMessage],
            peerService: row[Columns.peerService])
        attributesJSON = row[Columns.attributes]
        eventsJSON = row[Columns.events]
        linksJSON = row[Columns.links]
    }
}

/// A row of `logs`, with its row id (the `logs_fts` rowid). `log.attributes` is empty; the stored JSON object
/// text is `attributesJSON`. Written by the batched insert path (`insertLogs`).
public struct StoredLog: Hashable, Sendable, FetchableRecord, TableRecord {
    public static let databaseTableName = "logs"

    public enum Columns {
        static let id = Column("id")
        static let time = Column("time_us")
        static let service = Column("service")
        static let host = Column("host")
        static let severity = Column("severity")
        static let message = Column("message")
        static let traceID = Column("trace_id")
        static let spanID = Column("span_id")
        static let attributes = Column("attributes")
    }

    public var id: Int64
    public var log: LogRecord
    /// JSON object text.
    public var attributesJSON: String

    public init(row: Row) throws {
        id = row[Columns.id]
        log = LogRecord(
            timeMicros: row[Columns.time], service: row[Columns.service], host: row[Columns.host],
            severity: Severity(rawValue: row[Columns.severity]) ?? .info, message: row[Columns.message],
            traceID: (row[Columns.traceID] as Data?).flatMap { TraceID(databaseBlob: $0) },
            spanID: (row[Columns.spanID] as Data?).flatMap { SpanID(databaseBlob: $0) })
        attributesJSON = row[Columns.attributes]
    }
}
