@preconcurrency import CNcursesw
import MeshtopConsole

/// The one place where roles become colours and attributes. With colours, every role gets a pair (foreground on
/// the terminal's default background); without (`--no-color`, TERM=vt100), roles fall back to bold/dim/underline
/// and selection stays reverse video, so the console stays usable in monochrome.
struct Theme {
    let color: Bool
    private var attrs: [Int32] = []
    private var pairs: [Int16] = []

    /// Must run after `initscr`. `wantColor` false forces monochrome.
    init(wantColor: Bool) {
        color = wantColor && has_colors()
        var background: Int16 = -1
        if color {
            start_color()
            if use_default_colors() != OK { background = Int16(COLOR_BLACK) }
        }
        let bold = Int32(meshtop_attr_bold())
        let dim = Int32(meshtop_attr_dim())
        let underline = Int32(meshtop_attr_underline())
        for (i, role) in Role.allCases.enumerated() {
            let (fg, colorAttr, monoAttr) = Theme.spec(role, bold: bold, dim: dim, underline: underline)
            if color {
                init_pair(Int16(i + 1), fg < 0 ? background == -1 ? -1 : Int16(COLOR_WHITE) : Int16(fg), background)
                pairs.append(Int16(i + 1))
                attrs.append(colorAttr)
            } else {
                pairs.append(0)
                attrs.append(monoAttr)
            }
        }
    }

    /// Foreground colour, extra attributes with colour, attributes without colour.
    static func spec(_ r: Role, bold: Int32, dim: Int32, underline: Int32) -> (Int32, Int32, Int32) {
        switch r {
        case .normal: return (-1, 0, 0)
        case .header, .footer: return (Int32(COLOR_CYAN), 0, 0)
        case .title: return (Int32(COLOR_CYAN), bold, bold)
        case .columnHeader: return (-1, bold, underline)
        case .selection: return (Int32(COLOR_CYAN), bold, bold)
        case .dim: return (-1, dim, dim)
        case .key: return (Int32(COLOR_YELLOW), bold, bold)
        case .healthHealthy, .breakerClosed: return (Int32(COLOR_GREEN), 0, 0)
        case .healthDegraded, .warning, .breakerHalfOpen: return (Int32(COLOR_YELLOW), 0, underline)
        case .healthFailing, .error, .breakerOpen, .barError: return (Int32(COLOR_RED), bold, bold)
        case .healthIdle, .debug: return (Int32(COLOR_BLUE), 0, dim)
        case .info: return (-1, 0, 0)
        case .critical: return (Int32(COLOR_MAGENTA), bold, bold | underline)
        case .bar, .sparkline: return (Int32(COLOR_CYAN), 0, 0)
        case .barCritical: return (Int32(COLOR_MAGENTA), 0, bold)
        case .edge: return (Int32(COLOR_BLUE), 0, 0)
        }
    }

    /// curses attributes and colour pair for a style.
    func resolve(_ s: Style) -> (attrs: Int32, pair: Int16) {
        let i = Int(s.role.rawValue)
        var a = attrs[i]
        if s.bold { a |= Int32(meshtop_attr_bold()) }
        if s.reverse { a |= Int32(meshtop_attr_reverse()) }
        return (a, pairs[i])
    }
}
