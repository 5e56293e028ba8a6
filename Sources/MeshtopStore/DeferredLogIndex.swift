import GRDB
import GRDBSQLite

/// A store whose writer can leave the full-text index of log messages to later (`WriteBatch.defersLogIndexing`)
/// and build it in blocks off the ingest path. The collector's writer finds it with `as?`; a backend without it
/// indexes as it writes.
public protocol DeferredLogIndexing: AnyObject {
    /// Indexes up to `maxRows` log rows of the tail, oldest first, in one transaction; returns how many are
    /// still waiting (an upper bound: ids of deleted rows count).
    func indexLogs(maxRows: Int) throws -> Int64
    /// Log rows waiting to be indexed (the same upper bound), 0 when every row is.
    func logIndexTail() throws -> Int64
    /// True: indexing takes no lock the store's writer needs (`LogTextIndex`), so it can run on a thread of its
    /// own beside the writer; false: between the writer's batches.
    var indexesOnItsOwnConnection: Bool { get }
}

extension MeshtopStore: DeferredLogIndexing {
    /// `meta` key of the deferred full-text index (docs/storage.md, "Full-text search"): every `logs` row with
    /// `id` ≤ this value has its `logs_fts` row; rows above it (the tail) may not yet. Absent: every row has one
    /// (databases written before deferral, a writer that caught up, one that indexes in its batches).
    static let ftsMarkKey = "fts_indexed_through"

    static func ftsIndexedThrough(_ db: Database) throws -> Int64? {
        try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?"), arguments: [ftsMarkKey])
    }

    /// Before a batch's logs are inserted: creates the mark at the last id when absent (everything so far is
    /// indexed), and lowers it to the last id when rows above it were deleted — new rows may reuse those ids,
    /// and they are not indexed.
    static func pinFTSMark(_ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO meta(key, value) VALUES (?, coalesce((SELECT max(id) FROM logs), 0))
                ON CONFLICT(key) DO UPDATE SET value = min(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))
                """
        ).execute(arguments: [ftsMarkKey])
    }

    /// Every row is indexed: no mark (so a meshtop that predates deferral can write to the file again).
    static func removeFTSMark(_ db: Database) throws {
        try db.cachedStatement(sql: "DELETE FROM meta WHERE key = ?").execute(arguments: [ftsMarkKey])
    }

    /// One statement that reads the messages back from the `logs` pages (no second binding of every message).
    static func indexLogRows(_ db: Database, from first: Int64, through last: Int64) throws {
        guard last >= first else { return }
        var fts = SQLiteBinder(
            try db.cachedStatement(
                sql: "INSERT INTO logs_fts(rowid, message) SELECT id, message FROM logs WHERE id BETWEEN ? AND ?"))
        fts.int(first)
        fts.int(last)
        try fts.execute(db)
    }

    public var indexesOnItsOwnConnection: Bool { textIndex != nil }

    public func indexLogs(maxRows: Int) throws -> Int64 {
        try requireWritable()
        if let textIndex { return try textIndex.indexLogs(maxRows: maxRows) }
        return try writer.write { db in
            guard let mark = try Self.ftsIndexedThrough(db) else { return 0 }
            let last = try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(id) FROM logs")) ?? 0
            let through = Int64(max(maxRows, 1)) >= last - mark ? last : mark + Int64(max(maxRows, 1))
            try Self.indexLogRows(db, from: mark + 1, through: through)
            if through >= last {
                try Self.removeFTSMark(db)
                return 0
            }
            try db.cachedStatement(sql: "UPDATE meta SET value = ? WHERE key = ?")
                .execute(arguments: [through, Self.ftsMarkKey])
            return last - through
        }
    }

    public func logIndexTail() throws -> Int64 {
        if let textIndex { return try textIndex.tail() }
        return try read { db in
            guard let mark = try Self.ftsIndexedThrough(db) else { return 0 }
            return max(0, (try Int64.fetchOne(db, sql: "SELECT max(id) FROM logs") ?? 0) - mark)
        }
    }
}

/// Matches log messages as a full-text index with token positions would match every word of the search as a
/// quoted phrase — for the not yet indexed tail, and to check the order of a word's tokens on the candidates of
/// the `detail=none` index (`indexQuery`, `checksOrder`): the text goes through the table's own tokenizer
/// (FTS5 `unicode61`, default options, run by SQLite), and a message matches when every phrase with at least one
/// token occurs in it as consecutive tokens. A query whose phrases all have no token matches nothing, as in FTS5.
final class TailTextMatcher {
    private let tokenizer: any FTS5Tokenizer
    /// Per phrase, its folded tokens.
    private let phrases: [[[UInt8]]]
    private let sink = TokenSink()

    /// Conditions on `message`, one bound value each, that every match satisfies, so SQLite skips most rows
    /// before Swift tokenizes them. ASCII text yields only ASCII letter/digit tokens folded to lower case, so it
    /// can match only if it contains every ASCII token case-insensitively (`LIKE`); text with other characters
    /// may fold into any token (`résumé` matches `resume`) and always goes through.
    let prefilters: [(condition: String, pattern: String)]

    init(_ db: Database, words: [Substring]) throws {
        tokenizer = try db.makeTokenizer(.unicode61())
        var phrases: [[[UInt8]]] = []
        for word in words {
            let tokens = Self.tokens(tokenizer, sink, String(word), .query)
            if !tokens.isEmpty { phrases.append(tokens) }
        }
        self.phrases = phrases
        let nonASCII = "length(message) <> length(CAST(message AS BLOB))"
        let tokens = Set(phrases.joined())
        if tokens.contains(where: { $0.contains { $0 >= 0x80 } }) {
            // A token outside ASCII: only text with such characters can match.
            prefilters = [("(\(nonASCII) OR ? IS NULL)", "-")]
        } else {
            prefilters = tokens.sorted { $0.count > $1.count }.map { token in
                var pattern = "%"
                for byte in token {
                    let c = Character(Unicode.Scalar(byte))
                    if c == "%" || c == "_" || c == "\\" { pattern.append("\\") }
                    pattern.append(c)
                }
                return ("(message LIKE ? ESCAPE '\\' OR \(nonASCII))", pattern + "%")
            }
        }
    }

    /// False for every message: the query has no token at all.
    var matchesNothing: Bool { phrases.isEmpty }

    /// The `logs_fts MATCH` query for the indexed rows: every distinct token of every phrase, each a quoted
    /// string, all required (FTS5's implicit AND). `logs_fts` is `detail=none` (migration
    /// `v9-fts-detail-none`), which stores no token positions and refuses phrases of more than one token, so a
    /// word that tokenizes into several tokens (`x-ray`) is asked for token by token and its order is checked
    /// on the candidates (`checksOrder`). Nil when the query has no token.
    var indexQuery: String? {
        var seen = Set<[UInt8]>()
        var parts: [String] = []
        for token in phrases.joined() where seen.insert(token).inserted {
            parts.append(
                "\"" + String(decoding: token, as: UTF8.self).replacingOccurrences(of: "\"", with: "\"\"") + "\"")
        }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    /// Whether an index match still has to be checked (a phrase of several tokens must occur as consecutive
    /// tokens, which a `detail=none` index cannot tell).
    var checksOrder: Bool { phrases.contains { $0.count > 1 } }

    /// Steps `statement`, which yields (id, message) rows, and returns the ids of the first `limit` matches.
    func matchingIDs(_ statement: Statement, _ db: Database, limit: Int) throws -> [Int64] {
        var ids: [Int64] = []
        guard !phrases.isEmpty else { return ids }
        let stmt = statement.sqliteStatement
        defer { sqlite3_reset(stmt) }
        while ids.count < limit {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                    sql: statement.sql)
            }
            let text = sqlite3_column_text(stmt, 1)
            let count = sqlite3_column_bytes(stmt, 1)
            if matches(text.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, count) {
                ids.append(sqlite3_column_int64(stmt, 0))
            }
        }
        return ids
    }

    private func matches(_ text: UnsafePointer<CChar>?, _ count: CInt) -> Bool {
        guard !phrases.isEmpty else { return false }
        sink.reset()
        _ = tokenizer.tokenize(
            context: Unmanaged.passUnretained(sink).toOpaque(), tokenization: .document, pText: text, nText: count,
            tokenCallback: TokenSink.callback)
        return phrases.allSatisfy(sink.contains(phrase:))
    }

    private static func tokens(
        _ tokenizer: any FTS5Tokenizer, _ sink: TokenSink, _ text: String, _ kind: FTS5Tokenization
    ) -> [[UInt8]] {
        sink.reset()
        var text = text
        text.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) { chars in
                _ = tokenizer.tokenize(
                    context: Unmanaged.passUnretained(sink).toOpaque(), tokenization: kind,
                    pText: chars.baseAddress, nText: CInt(chars.count), tokenCallback: TokenSink.callback)
            }
        }
        return (0..<sink.ends.count).map { Array(sink.token($0)) }
    }
}

/// The tokens of one text, in one reused byte buffer.
private final class TokenSink {
    var bytes: [UInt8] = []
    var ends: [Int] = []

    func reset() {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }

    func token(_ i: Int) -> ArraySlice<UInt8> {
        bytes[(i == 0 ? 0 : ends[i - 1])..<ends[i]]
    }

    func contains(phrase: [[UInt8]]) -> Bool {
        guard phrase.count <= ends.count else { return false }
        for start in 0...(ends.count - phrase.count) {
            var all = true
            for (j, t) in phrase.enumerated() where !token(start + j).elementsEqual(t) {
                all = false
                break
            }
            if all { return true }
        }
        return false
    }

    static let callback: FTS5TokenCallback = { context, _, token, count, _, _ in
        guard let context else { return SQLITE_ERROR }
        let sink = Unmanaged<TokenSink>.fromOpaque(context).takeUnretainedValue()
        // FTS5 keeps at most this many bytes of a token, in the index and in queries alike.
        if let token, count > 0 {
            sink.bytes.append(contentsOf: UnsafeRawBufferPointer(start: token, count: min(Int(count), 32_768)))
        }
        sink.ends.append(sink.bytes.count)
        return SQLITE_OK
    }
}
