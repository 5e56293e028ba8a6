import Foundation
import GRDBSQLite

/// What a file at a `--db` path holds, found without changing it: `open(path:)` looks first and writes only to
/// meshtop's own databases or to empty ones (SPEC §4 "Safety"). The look is a read-only SQLite connection that
/// never changes the journal mode, never creates a `-wal` or `-shm` file and never writes a byte.
enum StoreInspection: Equatable {
    /// No file, a 0-byte file, or a SQLite database with no schema at all and no application id: meshtop may
    /// initialise it.
    case empty
    /// A database stamped with meshtop's `application_id`.
    case meshtop
    /// A database written by a meshtop version from before the `application_id` stamp: it has GRDB's migration
    /// table with meshtop's `v1` and meshtop's `meta` row. Accepted; the next migration stamps it.
    case unstampedMeshtop
    /// Anything else: another program's database, or not a database at all. Never written.
    case foreign

    /// `PRAGMA application_id` of every meshtop database: "MSHT" in ASCII.
    static let applicationID: Int32 = 0x4D53_4854

    /// Looks at the file at `path`. Errors are those of reading it (permissions, I/O).
    static func inspect(path: String) throws(StoreError) -> StoreInspection {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return .empty }
            throw .unreadable(path, reason: String(cString: strerror(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return .foreign }
        var walInfo = stat()
        let walBytes = stat(path + "-wal", &walInfo) == 0 ? Int64(walInfo.st_size) : 0
        if info.st_size == 0 && walBytes == 0 { return .empty }
        if info.st_size > 0 {
            let header = try readHeader(path)
            // Not SQLite at all (or a file too short to be one).
            guard header.count == 100, header.starts(with: Array("SQLite format 3\0".utf8)) else { return .foreign }
            // The header's application id (bytes 68-71, big-endian) is the committed value; with a WAL still
            // beside the file the newest one may be there, which SQLite below reads.
            let id = header[68..<72].reduce(Int32(0)) { $0 << 8 | Int32($1) }
            if id == applicationID { return .meshtop }
        }
        return try inspectWithSQLite(path)
    }

    /// The first 100 bytes (the SQLite header), read with plain `read(2)`.
    private static func readHeader(_ path: String) throws(StoreError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 100)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 100, 0) }
        guard n >= 0 else { throw .unreadable(path, reason: String(cString: strerror(errno))) }
        return Array(bytes.prefix(n))
    }

    /// Reads `application_id`, `user_version` and the schema through a read-only connection. A WAL-mode file
    /// whose `-wal` is gone is opened with `immutable=1`, because a read-only connection would otherwise need
    /// to create the `-shm`/`-wal` files; with a `-wal` present SQLite reads it without writing anything.
    private static func inspectWithSQLite(_ path: String) throws(StoreError) -> StoreInspection {
        let walExists = access(path + "-wal", F_OK) == 0
        var uri = URLComponents()
        uri.scheme = "file"
        uri.path = path
        uri.queryItems = [URLQueryItem(name: "mode", value: "ro")]
        if !walExists { uri.queryItems?.append(URLQueryItem(name: "immutable", value: "1")) }
        let location = uri.string ?? "file:\(path)?mode=ro"
        var connection: OpaquePointer?
        let flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX
        defer { sqlite3_close_v2(connection) }
        guard sqlite3_open_v2(location, &connection, flags, nil) == SQLITE_OK, let connection else {
            throw .unreadable(path, reason: "cannot open it read-only to look at it")
        }
        sqlite3_busy_timeout(connection, 5_000)
        do throws(QueryFailure) {
            let applicationID = try integer(connection, "PRAGMA application_id")
            if applicationID == Int64(Self.applicationID) { return .meshtop }
            let userVersion = try integer(connection, "PRAGMA user_version")
            let objects = try integer(connection, "SELECT count(*) FROM sqlite_master")
            if objects == 0 { return applicationID == 0 && userVersion == 0 ? .empty : .foreign }
            guard applicationID == 0,
                try integer(
                    connection,
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('grdb_migrations', 'meta')")
                    == 2,
                try integer(connection, "SELECT count(*) FROM grdb_migrations WHERE identifier = 'v1'") == 1,
                try integer(connection, "SELECT count(*) FROM meta WHERE key = 'schema' AND value LIKE 'meshtop %'")
                    == 1
            else { return .foreign }
            return .unstampedMeshtop
        } catch {
            switch error {
            case .notADatabase: return .foreign
            case .failed(let message): throw .unreadable(path, reason: message)
            }
        }
    }

    private enum QueryFailure: Error {
        case notADatabase
        case failed(String)
    }

    private static func integer(_ connection: OpaquePointer, _ sql: String) throws(QueryFailure) -> Int64 {
        var statement: OpaquePointer?
        defer { sqlite3_finalize(statement) }
        var code = sqlite3_prepare_v2(connection, sql, -1, &statement, nil)
        if code == SQLITE_OK { code = sqlite3_step(statement) }
        switch code {
        case SQLITE_ROW: return sqlite3_column_int64(statement, 0)
        case SQLITE_NOTADB, SQLITE_CORRUPT: throw .notADatabase
        default: throw .failed(String(cString: sqlite3_errmsg(connection)))
        }
    }
}
