import ArgumentParser
import Foundation
import MeshtopModel

/// Documented exit codes (SPEC §1).
public enum MeshtopExit {
    public static let ok: Int32 = 0
    /// A `--fail-on` condition held.
    public static let conditionHeld: Int32 = 1
    /// Usage error (bad flag or argument).
    public static let usage: Int32 = 2
    /// Database missing, unreadable, not meshtop's, or already being written by another collector.
    public static let database: Int32 = 3
    /// A listener could not bind.
    public static let bind: Int32 = 4
    /// `query sql` ran past its `--timeout`.
    public static let timeout: Int32 = 5
}

/// `--db PATH`, else `$MESHTOP_DB`, else `$XDG_DATA_HOME/meshtop/meshtop.db` (`~/.local/share/meshtop/meshtop.db`).
public struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "Database file (default: $MESHTOP_DB, else $XDG_DATA_HOME/meshtop/meshtop.db).")
    public var db: String?

    public init() {}

    public var resolvedPath: String {
        DatabaseOptions.resolve(explicit: db, environment: ProcessInfo.processInfo.environment)
    }

    public static func resolve(explicit: String?, environment: [String: String]) -> String {
        if let p = explicit, !p.isEmpty { return expandTilde(p, environment) }
        if let p = environment["MESHTOP_DB"], !p.isEmpty { return expandTilde(p, environment) }
        if let x = environment["XDG_DATA_HOME"], !x.isEmpty { return x + "/meshtop/meshtop.db" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.local/share/meshtop/meshtop.db"
    }

    static func expandTilde(_ p: String, _ env: [String: String]) -> String {
        guard p.hasPrefix("~/") else { return p }
        return (env["HOME"] ?? NSHomeDirectory()) + String(p.dropFirst())
    }
}

/// Parses a `--since`/`--until` value: RFC 3339 or a duration ago relative to `nowMicros`.
public func parseTimeArgument(_ text: String, nowMicros: Int64) -> Int64? {
    if let t = RFC3339.parse(text) { return t }
    if let d = DurationText.parseMicros(text) { return nowMicros - d }
    return nil
}
