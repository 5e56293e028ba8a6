/// A key press, decoded by the terminal layer.
public enum Key: Hashable, Sendable {
    case char(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace, delete
    /// Ctrl-C / Ctrl-L and friends arrive as `.control("c")`.
    case control(Character)

    /// How the help screen and footer print the key.
    public var label: String {
        switch self {
        case .char(" "): return "space"
        case .char(let c): return String(c)
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .tab: return "Tab"
        case .backTab: return "S-Tab"
        case .backspace: return "BS"
        case .delete: return "Del"
        case .control(let c): return "^" + String(c).uppercased()
        }
    }
}

/// What a key does. One binding table maps keys to actions; the footer and the help screen are generated from it.
public enum Action: Hashable, Sendable {
    case quit, help, nextTab, previousTab
    case goToTab(Tab)
    case up, down, pageUp, pageDown, top, bottom
    case drillIn, back, filter, command, sortColumn, sortDirection, timeWindow, pause, refresh
    case toggleLayout, errorsOnly
}

/// Where a binding applies: one of the tabs, or the trace waterfall.
public enum Page: Hashable, Sendable {
    case tab(Tab)
    case trace
}

/// One row of the key table (tig's `REQ_(…)`): the keys, a short footer label and a help description.
public struct KeyBinding: Sendable {
    public var action: Action
    public var keys: [Key]
    /// Shown in the help screen's key column (e.g. `j/↓`).
    public var keyLabel: String
    /// Shown in the footer; nil keeps the binding out of the footer.
    public var hint: String?
    public var description: String
    /// nil: everywhere.
    public var pages: Set<Page>?

    public func applies(to page: Page) -> Bool { pages?.contains(page) ?? true }
}

/// The console's one key table.
public enum KeyTable {
    static let lists: Set<Page> = Set(Tab.allCases.map { Page.tab($0) }).union([.trace])

    public static let bindings: [KeyBinding] = [
        KeyBinding(action: .quit, keys: [.char("q")], keyLabel: "q", hint: "quit", description: "Quit meshtop"),
        KeyBinding(action: .help, keys: [.char("?")], keyLabel: "?", hint: "help", description: "Show this help"),
        KeyBinding(
            action: .nextTab, keys: [.tab], keyLabel: "Tab", hint: nil, description: "Next view"),
        KeyBinding(
            action: .previousTab, keys: [.backTab], keyLabel: "S-Tab", hint: nil, description: "Previous view"),
        KeyBinding(
            action: .goToTab(.services), keys: Tab.allCases.map { .char(Character(String($0.rawValue + 1))) },
            keyLabel: "1-8", hint: "views", description: "Go to view 1–8 (Services … Limits)"),
        KeyBinding(
            action: .down, keys: [.char("j"), .down], keyLabel: "j/↓", hint: nil, description: "Move down"),
        KeyBinding(action: .up, keys: [.char("k"), .up], keyLabel: "k/↑", hint: nil, description: "Move up"),
        KeyBinding(
            action: .pageDown, keys: [.pageDown, .control("f")], keyLabel: "PgDn", hint: nil,
            description: "Page down"),
        KeyBinding(
            action: .pageUp, keys: [.pageUp, .control("b")], keyLabel: "PgUp", hint: nil, description: "Page up"),
        KeyBinding(action: .top, keys: [.char("g"), .home], keyLabel: "g", hint: nil, description: "First row"),
        KeyBinding(action: .bottom, keys: [.char("G"), .end], keyLabel: "G", hint: nil, description: "Last row"),
        KeyBinding(
            action: .drillIn, keys: [.enter], keyLabel: "Enter", hint: "traces",
            description: "Show the service's traces", pages: [.tab(.services)]),
        KeyBinding(
            action: .drillIn, keys: [.enter], keyLabel: "Enter", hint: "breaker",
            description: "Show the edge's breaker", pages: [.tab(.topology)]),
        KeyBinding(
            action: .drillIn, keys: [.enter], keyLabel: "Enter", hint: "open",
            description: "Open the trace waterfall", pages: [.tab(.traces)]),
        KeyBinding(
            action: .drillIn, keys: [.enter], keyLabel: "Enter", hint: "trace",
            description: "Jump to the line's trace", pages: [.tab(.logs)]),
        KeyBinding(
            action: .back, keys: [.escape], keyLabel: "Esc", hint: "back", description: "Go back",
            pages: [.trace]),
        KeyBinding(action: .back, keys: [.escape], keyLabel: "Esc", hint: nil, description: "Go back"),
        KeyBinding(
            action: .filter, keys: [.char("/")], keyLabel: "/", hint: "filter", description: "Filter rows by text",
            pages: lists.subtracting([.trace])),
        KeyBinding(
            action: .command, keys: [.char(":")], keyLabel: ":", hint: "cmd",
            description: "Command: :svc :op :min :err :since :clear :trace :q"),
        KeyBinding(
            action: .sortColumn, keys: [.char("s")], keyLabel: "s", hint: "sort", description: "Sort by next column",
            pages: [.tab(.services)]),
        KeyBinding(
            action: .sortDirection, keys: [.char("S")], keyLabel: "S", hint: nil, description: "Reverse the sort",
            pages: [.tab(.services)]),
        KeyBinding(
            action: .toggleLayout, keys: [.char("l")], keyLabel: "l", hint: "graph/list",
            description: "Switch graph and list layout", pages: [.tab(.topology)]),
        KeyBinding(
            action: .errorsOnly, keys: [.char("e")], keyLabel: "e", hint: "errors",
            description: "Only traces with errors", pages: [.tab(.traces)]),
        KeyBinding(
            action: .timeWindow, keys: [.char("t")], keyLabel: "t", hint: "window",
            description: "Cycle the time window: 5m 15m 1h 6h 24h"),
        KeyBinding(
            action: .pause, keys: [.char(" ")], keyLabel: "space", hint: "pause", description: "Pause/resume refresh"),
        KeyBinding(
            action: .refresh, keys: [.char("r"), .control("l")], keyLabel: "r/^L", hint: nil,
            description: "Refresh now"),
    ]

    /// The action for `key` on `page`, if any.
    public static func action(for key: Key, on page: Page) -> Action? {
        if case .char(let c) = key, let n = c.wholeNumberValue, (1...Tab.allCases.count).contains(n) {
            return .goToTab(Tab.allCases[n - 1])
        }
        return bindings.first { $0.applies(to: page) && $0.keys.contains(key) }?.action
    }

    /// Footer hints for `page`: `key label` pairs in table order.
    public static func hints(for page: Page) -> [(key: String, label: String)] {
        var seen = Set<String>()
        var out: [(String, String)] = []
        // Keys specific to the page first, then the global ones.
        for specific in [true, false] {
            for b in bindings where b.applies(to: page) && (b.pages != nil) == specific {
                guard let h = b.hint, !seen.contains(b.keyLabel) else { continue }
                seen.insert(b.keyLabel)
                out.append((b.keyLabel, h))
            }
        }
        return out
    }
}
