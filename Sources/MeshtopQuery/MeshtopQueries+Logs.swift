import MeshtopModel
import MeshtopStore

extension MeshtopQueries {
    /// Logs in the window matching every filter. Without `afterID`: the newest `limit` records (by time; by
    /// arrival with `text`), returned oldest first (like `tail`). With `afterID` (follow mode): the records
    /// stored after that row id, oldest first.
    /// `text` is matched with FTS5: every word must occur in the message (words are quoted, so FTS5 operators in
    /// the text are matched literally).
    public func logs(_ search: LogSearch) throws -> [LogRow] {
        try reader.logs(search)
    }
}
