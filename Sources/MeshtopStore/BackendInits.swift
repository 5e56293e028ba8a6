import Foundation
import MeshtopModel

// Initialisers a second backend (MeshtopPostgres) needs to build the store's public value types without GRDB.

extension PruneResult {
    /// An empty result: nothing deleted yet.
    public static var empty: PruneResult { PruneResult() }
}

extension StoredSpan {
    /// A span as read from another backend, its attributes, events and links left as their stored JSON text.
    public init(span: Span, attributesJSON: String, eventsJSON: String, linksJSON: String? = nil) {
        self.span = span
        self.attributesJSON = attributesJSON
        self.eventsJSON = eventsJSON
        self.linksJSON = linksJSON
    }
}

extension StoredLog {
    /// A log as read from another backend, its attributes left as their stored JSON text.
    public init(id: Int64, log: LogRecord, attributesJSON: String) {
        self.id = id
        self.log = log
        self.attributesJSON = attributesJSON
    }
}
