/// Why the store could not be opened or used. Every message says what is wrong and what to do.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No database file at the path (read-only opens never create one).
    case missing(String)
    /// The file exists but cannot be opened or read (permissions, I/O error).
    case unreadable(String, reason: String)
    /// The file is a SQLite database (or not) without meshtop's schema. meshtop never writes to it.
    case notMeshtopDatabase(String)
    /// A write was attempted on a store opened with `openReadOnly`.
    case readOnly(String)
    /// Another process holds the database's writer lock (`PATH.lock`); `holder` names it ("pid 1234 (…)").
    case locked(String, holder: String)
    /// The database (or its lock file) cannot be created or written: permissions, read-only file system, full
    /// disk.
    case unwritable(String, reason: String)
    /// The database's directory does not exist and cannot be created.
    case directory(String, directory: String, reason: String)
    /// A read ran longer than its time bound and was interrupted; `seconds` is the bound.
    case timedOut(seconds: Double)

    public var description: String {
        switch self {
        case .missing(let path):
            return "no meshtop database at \(path): start `meshtop collect` to create it, or pass --db PATH "
                + "(or set MESHTOP_DB) to point at an existing one"
        case .unreadable(let path, let reason):
            return "cannot read the meshtop database at \(path): \(reason); make the file readable by this user "
                + "(ls -l \(path)) or pass --db PATH"
        case .notMeshtopDatabase(let path):
            return "\(path) is not a meshtop database (it holds other data, or is not SQLite); meshtop did not "
                + "change it. Pass --db PATH with a database written by `meshtop collect`, or a new file name "
                + "to create one"
        case .readOnly(let path):
            return "the database at \(path) is open read-only; only `meshtop collect` writes to it"
        case .locked(let path, let holder):
            return "the database at \(path) is already being written by \(holder); stop that collector first, "
                + "or pass --db PATH to collect into another database (one writer per database)"
        case .unwritable(let path, let reason):
            return "cannot write the meshtop database at \(path): \(reason); make the file and its directory "
                + "writable by this user, free disk space, or pass --db PATH"
        case .directory(let path, let directory, let reason):
            return "cannot create the directory \(directory) for the database \(path) (\(reason)); pass --db PATH "
                + "in a directory you can write, or create \(directory) first"
        case .timedOut:
            return "query timed out after \(boundText) (use --timeout to allow longer)"
        }
    }

    /// A `.timedOut` bound as the CLI writes durations: "5s", "2.5s", "250ms" (empty for other cases).
    public var boundText: String {
        guard case .timedOut(let s) = self else { return "" }
        if s < 1 { return "\(Int((s * 1000).rounded()))ms" }
        if s == s.rounded() { return "\(Int(s))s" }
        return "\(s)s"
    }
}
