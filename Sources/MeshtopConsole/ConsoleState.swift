import MeshtopModel
import MeshtopQuery

/// Start-up settings from the command line.
public struct ConsoleOptions: Sendable, Hashable {
    public var refreshMicros: Int64
    public var windowMicros: Int64
    public var color: Bool
    public var ascii: Bool

    public init(
        refreshMicros: Int64 = 1_000_000, windowMicros: Int64 = 900_000_000, color: Bool = true,
        ascii: Bool = false
    ) {
        self.refreshMicros = refreshMicros
        self.windowMicros = windowMicros
        self.color = color
        self.ascii = ascii
    }

    /// The windows `t` cycles through.
    public static let windows: [Int64] = [300, 900, 3600, 21_600, 86_400].map { $0 * 1_000_000 }
}

/// A selectable list position: the selected row and the first row shown.
public struct Cursor: Sendable, Hashable {
    public var selected = 0
    public var top = 0

    public init(selected: Int = 0, top: Int = 0) {
        self.selected = selected
        self.top = top
    }
}

/// The line being edited after `/` or `:`.
public enum Prompt: Sendable, Hashable {
    case filter(String)
    case command(String)
}

/// Sortable columns of the Services table.
public enum ServiceSort: Int, CaseIterable, Sendable, Hashable {
    case name, requests, errorRate, rps, p50, p99, apdex, health

    public var title: String {
        switch self {
        case .name: return "name"
        case .requests: return "requests"
        case .errorRate: return "err%"
        case .rps: return "rps"
        case .p50: return "p50"
        case .p99: return "p99"
        case .apdex: return "apdex"
        case .health: return "health"
        }
    }
}

/// Trace search filters set with `:svc`, `:op`, `:min`, `:err`.
public struct TraceFilter: Sendable, Hashable {
    public var service: String?
    public var operation: String?
    public var minDurationMicros: Int64?
    public var errorsOnly = false

    public init() {}
}

/// The open trace waterfall.
public struct TraceView: Sendable, Hashable {
    public var id: String
    public var detail: TraceDetail?
    public var loaded = false
    public var cursor = Cursor()
    /// The page to return to on Esc.
    public var returnTo: Tab

    public init(id: String, returnTo: Tab) {
        self.id = id
        self.returnTo = returnTo
    }
}

/// The whole console state: a value, changed only by `ConsoleUpdate.update`.
public struct ConsoleState: Sendable, Hashable {
    public var rows: Int
    public var cols: Int
    public var options: ConsoleOptions
    public var glyphs: Glyphs
    public var tab: Tab = .services
    /// Tabs visited before the current one, for Esc.
    public var backStack: [Tab] = []
    public var nowMicros: Int64
    public var windowMicros: Int64
    public var paused = false
    /// Refresh ticks seen; the trace search re-runs on every `traceSearchEvery`-th one.
    public var ticks = 0
    public var showHelp = false
    public var helpTop = 0
    public var prompt: Prompt?
    /// A transient message for the footer (errors from commands or queries).
    public var notice: String?
    public var noticeIsError = false
    public var quitting = false

    /// Text filters set with `/`, per tab.
    public var filters: [Tab: String] = [:]
    public var cursors: [Tab: Cursor] = [:]

    public var status: CollectorStatus?
    public var latestEventMicros: Int64?
    public var statusError: String?

    public var services: [ServiceRow] = []
    public var serviceSort: ServiceSort = .rps
    public var sortDescending = true
    public var topology: Topology?
    public var topologyList = false
    /// The laid-out graph of `visibleEdges`, rebuilt when the topology or its filter changes (not per frame).
    var topologyGraph: TopologyCanvas?
    public var traces: [TraceSummary] = []
    public var traceFilter = TraceFilter()
    public var trace: TraceView?
    public var logs: [LogRow] = []
    public var logGeneration = 0
    /// Follow the tail: keep the selection on the newest line.
    public var logFollow = true
    public var metrics: [MetricRow] = []
    public var breakers: [BreakerStatus] = []
    /// Flow rule decisions per rule and resource over the window (Limits view).
    public var limits: [LimitStat] = []
    public var breakerHistory: [BreakerTransition] = []
    public var breakerHistoryKey: String?
    /// `caller→callee` chosen on the topology, selected when the breakers arrive.
    public var pendingBreaker: String?
    public var alerts: [AlertStatus] = []
    public var alertHistory: [AlertTransition] = []
    /// Kinds of requests that have answered at least once (to tell "loading" from "empty").
    public var loaded: Set<String> = []

    public init(rows: Int = 24, cols: Int = 80, nowMicros: Int64, options: ConsoleOptions = ConsoleOptions()) {
        self.rows = rows
        self.cols = cols
        self.nowMicros = nowMicros
        self.options = options
        self.windowMicros = options.windowMicros
        self.glyphs = options.ascii ? .ascii : .unicode
    }

    /// The most logs kept for the live tail.
    public static let logCapacity = 2_000

    /// The page keys apply to.
    public var page: Page { trace != nil && tab == .traces ? .trace : .tab(tab) }

    /// The window's end: now, or the newest event when the data is older than the window (a replayed database).
    public var windowEndMicros: Int64 {
        if let latest = latestEventMicros, latest < nowMicros - windowMicros { return latest + 1 }
        return nowMicros
    }

    public var window: TimeWindow {
        TimeWindow(sinceMicros: windowEndMicros - windowMicros, untilMicros: windowEndMicros)
    }

    /// Rows available to a view's body (between the header/tab bar and the footer).
    public var bodyRows: Int { max(rows - 3, 0) }

    public func cursor(_ t: Tab) -> Cursor { cursors[t] ?? Cursor() }

    /// Too small to draw the views (SPEC: works from 80×24).
    public var tooSmall: Bool { rows < 24 || cols < 80 }
}
