/// A semantic colour role. Views name roles; only the terminal layer's theme maps them to colours or attributes
/// (htop's `PANEL_SELECTION_FOCUS` idea).
public enum Role: UInt8, Sendable, Hashable, CaseIterable {
    case normal, header, footer, title, columnHeader, selection, dim, key
    case healthHealthy, healthDegraded, healthFailing, healthIdle
    case error, warning, info, debug
    case breakerClosed, breakerOpen, breakerHalfOpen
    case critical, bar, barCritical, barError, sparkline, edge
}

/// A cell's style: a role plus the two attributes every terminal has.
public struct Style: Sendable, Hashable {
    public var role: Role
    public var bold: Bool
    public var reverse: Bool

    public init(_ role: Role = .normal, bold: Bool = false, reverse: Bool = false) {
        self.role = role
        self.bold = bold
        self.reverse = reverse
    }

    public static let normal = Style(.normal)
    public static let header = Style(.header, reverse: true)
    public static let footer = Style(.footer, reverse: true)
    public static let selection = Style(.selection, reverse: true)
    public static let dim = Style(.dim)
    public static let title = Style(.title, bold: true)
    public static let columnHeader = Style(.columnHeader, bold: true)

    /// This style with `reverse` on, used to draw the selected row without losing its role.
    public var selected: Style { Style(role, bold: bold, reverse: true) }
    public var emphasised: Style { Style(role, bold: true, reverse: reverse) }
}
