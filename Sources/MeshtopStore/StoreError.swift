/// Why the store could not be opened or used. Every message says what to do.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No database file at the path (read-only opens never create one).
    case missing(String)
    /// The file exists but cannot be opened or read (permissions, I/O error, locked).
    case unreadable(String, reason: String)
    /// The file is a SQLite database (or not) without meshtop's schema.
    case notMeshtopDatabase(String)
    /// A write was attempted on a store opened with `openReadOnly`.
    case readOnly(String)

    public var description: String {
        switch self {
        case .missing(let path):
            return "no meshtop database at \(path): start `meshtop collect` to create it, or pass --db PATH "
                + "(or set MESHTOP_DB) to point at an existing one"
        case .unreadable(let path, let reason):
            return "cannot read the meshtop database at \(path): \(reason); check the file's permissions "
                + "or pass --db PATH"
        case .notMeshtopDatabase(let path):
            return "\(path) is not a meshtop database (no meshtop schema found); pass --db PATH with a "
                + "database written by `meshtop collect`"
        case .readOnly(let path):
            return "the database at \(path) is open read-only; only `meshtop collect` writes to it"
        }
    }
}
