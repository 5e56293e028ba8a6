/// The write side of a meshtop store: what the collector's single writer needs (docs/architecture.md).
/// `MeshtopStore` (SQLite) implements it; a second backend implements the same methods.
public protocol StoreWriter: AnyObject, Sendable {
    /// Where the data lives, for messages: the database path.
    var location: String { get }
    /// Writes one batch in one transaction: all of it is stored or none.
    func write(_ batch: WriteBatch) throws
    /// Deletes raw rows older than `rawOlderThan` and rollups older than `rollupsOlderThan` (µs since epoch),
    /// then the oldest data while more than `maxBytes` are in use, in short transactions.
    @discardableResult
    func prune(rawOlderThan: Int64, rollupsOlderThan: Int64, maxBytes: Int64?) throws -> PruneResult
    /// Moves written data to its final place (for SQLite: a WAL checkpoint); a no-op where there is none.
    func checkpoint()
    /// Publishes the writer's state for readers ("" when all is well, "disk full since …" while commits fail),
    /// where it can be written even when the database cannot.
    func setWriterStatus(_ status: String)
}

extension MeshtopStore: StoreWriter {
    public func setWriterStatus(_ status: String) {
        writerLock?.setStatus(status)
    }
}
