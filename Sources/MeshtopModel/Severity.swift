/// Syslog severities (RFC 5424 §6.2.1): 0 emergency … 7 debug. Lower is more severe.
public enum Severity: Int, Sendable, Hashable, CaseIterable, Comparable {
    case emergency = 0, alert, critical, error, warning, notice, info, debug

    public static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }

    /// Short lowercase name: `emerg alert crit error warn notice info debug`.
    public var name: String {
        switch self {
        case .emergency: return "emerg"
        case .alert: return "alert"
        case .critical: return "crit"
        case .error: return "error"
        case .warning: return "warn"
        case .notice: return "notice"
        case .info: return "info"
        case .debug: return "debug"
        }
    }

    /// Parses level names used by common loggers (case-insensitive): `fatal/panic/emerg`, `alert`,
    /// `crit/critical`, `err/error`, `warn/warning`, `notice`, `info/information`, `debug/trace/verbose`,
    /// OTel severity texts, and digits 0–7.
    public init?(name: some StringProtocol) {
        switch name.lowercased() {
        case "emerg", "emergency", "panic", "fatal", "0": self = .emergency
        case "alert", "1": self = .alert
        case "crit", "critical", "2": self = .critical
        case "err", "error", "eror", "3": self = .error
        case "warn", "warning", "4": self = .warning
        case "notice", "5": self = .notice
        case "info", "information", "informational", "6": self = .info
        case "debug", "trace", "verbose", "dbug", "7": self = .debug
        default: return nil
        }
    }
}
