import MeshtopConsole
import MeshtopModel
import MeshtopQuery
import Testing

/// One screen to compare: the terminal size, options, the keys that lead to it, and its stored snapshot.
enum SnapshotCase: String, CaseIterable, Sendable, CustomStringConvertible {
    case services, topologyGraph, topologyASCII, topologyList, traces, waterfall, logs, metrics, breakers, alerts
    case help, tooSmall, alertsWide, servicesWide, limits

    var description: String { rawValue }

    var size: (rows: Int, cols: Int) {
        switch self {
        case .topologyGraph, .topologyASCII: return (30, 120)
        case .alertsWide, .servicesWide: return (24, 120)
        default: return (24, 80)
        }
    }

    var options: ConsoleOptions { self == .topologyASCII ? ConsoleOptions(ascii: true) : ConsoleOptions() }

    var keys: [Key] {
        switch self {
        case .services, .servicesWide, .tooSmall: return []
        case .topologyGraph, .topologyList: return [.char("2")]
        case .topologyASCII: return [.char("2"), .char("j"), .char("j")]
        case .traces: return [.char("3")]
        case .waterfall: return [.char("3"), .enter, .char("j"), .char("j"), .char("j")]
        case .logs: return [.char("4")]
        case .metrics: return [.char("5")]
        case .breakers: return [.char("6")]
        case .alerts, .alertsWide: return [.char("7")]
        case .help: return [.char("?")]
        case .limits: return [.char("8")]
        }
    }

    var expected: String {
        switch self {
        case .services: return Snapshots.services
        case .topologyGraph: return Snapshots.topologyGraph
        case .topologyASCII: return Snapshots.topologyASCII
        case .topologyList: return Snapshots.topologyList
        case .traces: return Snapshots.traces
        case .waterfall: return Snapshots.waterfall
        case .logs: return Snapshots.logs
        case .metrics: return Snapshots.metrics
        case .breakers: return Snapshots.breakers
        case .alerts: return Snapshots.alerts
        case .help: return Snapshots.help
        case .tooSmall: return Snapshots.tooSmall
        case .alertsWide: return Snapshots.alertsWide
        case .servicesWide: return Snapshots.servicesWide
        case .limits: return Snapshots.limits
        }
    }
}

/// Every view rendered on the fake reader with fixed data and a fixed now, compared with text snapshots
/// (tig's `*.screen` tests), wide characters included: the graph at 120 columns and its list fallback at 80,
/// ASCII glyphs, the waterfall with a span selected, the help screen and the too-small message.
@Suite struct SnapshotTests {
    @Test(arguments: SnapshotCase.allCases)
    func screen(_ c: SnapshotCase) {
        var h = Harness(rows: c.size.rows, cols: c.size.cols, options: c.options)
        for k in c.keys { h.keys(k) }
        if c == .tooSmall { h.send(.resize(rows: 20, cols: 60)) }
        expectSnapshot(h.text, c.expected, c.rawValue)
    }
}
