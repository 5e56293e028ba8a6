import GRDB
import GRDBSQLite

/// Binds parameters straight onto a prepared (GRDB-cached) statement and steps it, skipping
/// `StatementArguments` (an array of existentials per row). Used only for the span and log inserts, the hot
/// path; everything else goes through GRDB's ordinary API. Values are always bound parameters.
struct SQLiteBinder {
    private let statement: Statement
    private let stmt: OpaquePointer
    private var index: Int32 = 0

    init(_ statement: Statement) {
        self.statement = statement
        self.stmt = statement.sqliteStatement
    }

    // SQLITE_TRANSIENT: SQLite copies the bytes before the bind call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    mutating func int(_ v: Int64) {
        index += 1
        sqlite3_bind_int64(stmt, index, v)
    }

    mutating func int(_ v: Int) { int(Int64(v)) }

    mutating func null() {
        index += 1
        sqlite3_bind_null(stmt, index)
    }

    mutating func text(_ s: String?) {
        guard var s else { return null() }
        index += 1
        let i = index
        _ = s.withUTF8 { sqlite3_bind_text(stmt, i, $0.baseAddress, Int32($0.count), Self.transient) }
    }

    mutating func text(bytes: [UInt8]) {
        index += 1
        let i = index
        _ = bytes.withUnsafeBufferPointer {
            sqlite3_bind_text(stmt, i, $0.baseAddress, Int32($0.count), Self.transient)
        }
    }

    /// UTF-8 text from bytes valid for the duration of the call.
    mutating func text(bytes: UnsafeBufferPointer<UInt8>) {
        index += 1
        sqlite3_bind_text(stmt, index, bytes.baseAddress, Int32(bytes.count), Self.transient)
    }

    /// An 8-byte big-endian id BLOB.
    mutating func blob(_ word: UInt64) {
        index += 1
        let i = index
        _ = withUnsafeBytes(of: word.bigEndian) {
            sqlite3_bind_blob(stmt, i, $0.baseAddress, Int32($0.count), Self.transient)
        }
    }

    /// A 16-byte big-endian id BLOB (`high` first).
    mutating func blob(_ high: UInt64, _ low: UInt64) {
        index += 1
        let i = index
        _ = withUnsafeBytes(of: (high.bigEndian, low.bigEndian)) {
            sqlite3_bind_blob(stmt, i, $0.baseAddress, Int32($0.count), Self.transient)
        }
    }

    /// Steps the statement once (an INSERT) and resets it for the next row.
    mutating func execute(_ db: Database) throws {
        let rc = sqlite3_step(stmt)
        sqlite3_reset(stmt)
        index = 0
        guard rc == SQLITE_DONE else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                sql: statement.sql)
        }
    }
}
