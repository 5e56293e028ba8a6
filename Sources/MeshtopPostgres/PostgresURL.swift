import Foundation

/// A `postgresql://user[:password]@host[:port]/database?sslmode=…` URL (also `postgres://`), parsed the way libpq
/// users expect: the password from the URL, else `$PGPASSWORD`, else the first matching line of `~/.pgpass`
/// (`$PGPASSFILE`). `description` never contains the password.
public struct PostgresURL: Sendable, Hashable, CustomStringConvertible {
    public enum SSLMode: String, Sendable, Hashable {
        case disable, allow, prefer, require, verifyCA = "verify-ca", verifyFull = "verify-full"
    }

    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    public var sslMode: SSLMode
    /// Query parameters other than `sslmode`, kept for messages.
    public var options: [String: String]

    /// True when `text` names a PostgreSQL database rather than a file path.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    /// Parses the URL; the password is looked up in the environment and `.pgpass` when the URL has none.
    /// Throws `PostgresStoreError.badURL` with a message that never repeats the password.
    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard Self.isURL(text), let components = URLComponents(string: text) else {
            throw PostgresStoreError.badURL(
                "not a postgresql:// URL (expected postgresql://user[:password]@host[:port]/database)")
        }
        let host = components.percentEncodedHost.map { $0.removingPercentEncoding ?? $0 } ?? ""
        self.host = host.isEmpty ? (environment["PGHOST"] ?? "localhost") : host
        self.port = components.port ?? Int(environment["PGPORT"] ?? "") ?? 5432
        let user = components.user ?? environment["PGUSER"] ?? environment["USER"] ?? "postgres"
        self.user = user
        var db = components.path
        if db.hasPrefix("/") { db.removeFirst() }
        self.database = db.isEmpty ? (environment["PGDATABASE"] ?? user) : db
        var mode = SSLMode.disable
        var options: [String: String] = [:]
        for item in components.queryItems ?? [] {
            if item.name == "sslmode" {
                guard let m = SSLMode(rawValue: item.value ?? "") else {
                    throw PostgresStoreError.badURL(
                        "sslmode=\(item.value ?? "") is not one of disable, allow, prefer, require, verify-ca, "
                            + "verify-full")
                }
                mode = m
            } else {
                options[item.name] = item.value ?? ""
            }
        }
        self.sslMode = mode
        self.options = options
        if let p = components.password {
            self.password = p
        } else if let p = environment["PGPASSWORD"] {
            self.password = p
        } else {
            let file =
                environment["PGPASSFILE"] ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.pgpass")
            self.password = Self.pgpass(file: file, host: self.host, port: self.port, database: database, user: user)
        }
    }

    /// The URL without its password, for messages and `location`.
    public var description: String {
        var text = "postgresql://\(user)@\(host):\(port)/\(database)"
        if sslMode != .disable { text += "?sslmode=\(sslMode.rawValue)" }
        return text
    }

    /// The password of the first `.pgpass` line matching host, port, database and user (`*` matches anything;
    /// `\:` and `\\` escape). libpq ignores the file when it is readable by group or others; so does this.
    static func pgpass(file: String, host: String, port: Int, database: String, user: String) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file),
            let mode = attributes[.posixPermissions] as? Int, mode & 0o077 == 0,
            let text = try? String(contentsOfFile: file, encoding: .utf8)
        else { return nil }
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("#") { continue }
            let fields = splitPgpass(String(line))
            guard fields.count == 5 else { continue }
            let wanted = [host, String(port), database, user]
            var ok = true
            for i in 0..<4 where fields[i] != "*" && fields[i] != wanted[i] {
                if i == 0 && fields[i] == "localhost" && (host == "127.0.0.1" || host == "::1") { continue }
                ok = false
                break
            }
            if ok { return fields[4] }
        }
        return nil
    }

    static func splitPgpass(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for c in line {
            if escaped {
                current.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == ":" && fields.count < 4 {
                fields.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        fields.append(current)
        return fields
    }
}

/// Why the PostgreSQL store failed. Messages never contain the password.
public enum PostgresStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    case badURL(String)
    /// The server cannot be reached or refused the login (`location` is the URL without password).
    case unavailable(location: String, reason: String)
    /// The database holds tables that are not meshtop's, or a newer schema.
    case notMeshtop(location: String, reason: String)
    /// A statement failed on a reachable server.
    case failed(String)

    public var description: String {
        switch self {
        case .badURL(let why):
            return "bad --db URL: \(why)"
        case .unavailable(let location, let reason):
            return "store unavailable: cannot use the PostgreSQL database at \(location) (\(reason)); check that "
                + "the server runs and accepts this user (password from the URL, PGPASSWORD or ~/.pgpass)"
        case .notMeshtop(let location, let reason):
            return "\(location) is not a meshtop database (\(reason)); meshtop did not change it"
        case .failed(let text):
            return text
        }
    }

    /// True when the error means the server could not be reached (so a retry may help).
    public var isUnavailable: Bool {
        if case .unavailable = self { return true }
        return false
    }
}
