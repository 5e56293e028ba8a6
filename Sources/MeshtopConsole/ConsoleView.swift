import MeshtopModel
import MeshtopQuery

/// The console's pure view function: state and size in, a `Screen` out.
public enum ConsoleView {
    /// Renders `state` at its own size.
    public static func render(_ state: ConsoleState) -> Screen { view(state, rows: state.rows, cols: state.cols) }

    /// Renders `state` into a `rows × cols` screen.
    public static func view(_ state: ConsoleState, rows: Int, cols: Int) -> Screen {
        var s = state
        s.rows = rows
        s.cols = cols
        var screen = Screen(rows: rows, cols: cols)
        if s.tooSmall {
            tooSmall(s, &screen)
            return screen
        }
        Chrome.header(s, &screen)
        Chrome.tabs(s, &screen)
        let body = Region(top: 2, height: s.bodyRows, cols: cols)
        if s.showHelp {
            Chrome.help(s, &screen, body)
        } else {
            switch s.page {
            case .trace: WaterfallView.draw(s, &screen, body)
            case .tab(.services): ServicesView.draw(s, &screen, body)
            case .tab(.topology): TopologyView.draw(s, &screen, body)
            case .tab(.traces): TracesView.draw(s, &screen, body)
            case .tab(.logs): LogsView.draw(s, &screen, body)
            case .tab(.metrics): MetricsView.draw(s, &screen, body)
            case .tab(.breakers): BreakersView.draw(s, &screen, body)
            case .tab(.limits): LimitsView.draw(s, &screen, body)
            case .tab(.alerts): AlertsView.draw(s, &screen, body)
            }
        }
        Chrome.footer(s, &screen)
        return screen
    }

    static func tooSmall(_ s: ConsoleState, _ screen: inout Screen) {
        let lines = ["terminal too small", "\(s.cols)x\(s.rows), need 80x24", "q quits"]
        let top = max(0, (s.rows - lines.count) / 2)
        for (i, l) in lines.enumerated() {
            let w = min(l.columns, s.cols)
            screen.put(l, row: top + i, col: max(0, (s.cols - w) / 2), style: i == 0 ? .title : .normal)
        }
    }
}

/// A rectangle of rows spanning the screen's width.
struct Region {
    var top: Int
    var height: Int
    var cols: Int

    var bottom: Int { top + height }
}

/// Styles for domain states; views pick roles here, never colours.
enum Roles {
    static func health(_ h: HealthState) -> Style {
        switch h {
        case .healthy: return Style(.healthHealthy)
        case .degraded: return Style(.healthDegraded, bold: true)
        case .failing: return Style(.healthFailing, bold: true)
        case .idle: return Style(.healthIdle)
        }
    }

    static func severity(_ v: Severity) -> Style {
        switch v {
        case .emergency, .alert, .critical: return Style(.critical, bold: true)
        case .error: return Style(.error, bold: true)
        case .warning: return Style(.warning)
        case .notice, .info: return Style(.info)
        case .debug: return Style(.debug)
        }
    }

    static func breaker(_ b: BreakerState) -> Style {
        switch b {
        case .closed: return Style(.breakerClosed)
        case .open: return Style(.breakerOpen, bold: true)
        case .halfOpen: return Style(.breakerHalfOpen, bold: true)
        case .other: return Style(.warning)
        }
    }

    static func alert(_ a: AlertState) -> Style {
        switch a {
        case .firing: return Style(.critical, bold: true)
        case .pending: return Style(.warning)
        case .resolved: return Style(.healthHealthy)
        case .inactive: return Style(.dim)
        }
    }

    static func breakerLabel(_ b: BreakerState) -> String {
        switch b {
        case .closed: return "closed"
        case .open: return "OPEN"
        case .halfOpen: return "HALF-OPEN"
        case .other: return "other"
        }
    }
}

/// Text from ingested data, escaped for the terminal (SPEC §1). Every service name, message, attribute and
/// label goes through here before it reaches a cell.
func clean(_ s: String) -> String { Sanitizer.escape(s) }
