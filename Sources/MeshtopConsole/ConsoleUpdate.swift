import MeshtopModel
import MeshtopQuery

/// The console's pure update function (Elm / bubbletea): a message and the state in, the new state and the
/// effects to run out. No I/O happens here.
public enum ConsoleUpdate {
    /// The loads to issue when the console starts.
    public static func start(_ state: ConsoleState) -> [Effect] { refresh(state) }

    public static func update(_ state: ConsoleState, _ message: Message) -> (ConsoleState, [Effect]) {
        var s = state
        switch message {
        case .key(let key):
            let effects = handle(key, &s)
            return (s, effects)
        case .resize(let rows, let cols):
            s.rows = max(rows, 1)
            s.cols = max(cols, 1)
            for t in Tab.allCases { s.clampCursor(t) }
            return (s, [])
        case .tick(let now):
            s.nowMicros = now
            s.ticks += 1
            if s.paused { return (s, []) }
            // The trace list is a search (like Jaeger's), not a live tail, and its query is the costliest one:
            // re-running it on every 1 s tick kept an idle console near 8 % CPU on 5,000,000 spans.
            if s.tab == .traces && s.trace == nil && s.ticks % traceSearchEvery != 0 { return (s, [.load(.status)]) }
            return (s, refresh(s))
        case .loaded(let response):
            let effects = apply(response, &s)
            return (s, effects)
        }
    }

    /// The trace search list refreshes on every this-many ticks (5 s at the default `--refresh 1s`).
    public static let traceSearchEvery = 5

    /// Status plus whatever the visible page shows.
    static func refresh(_ s: ConsoleState) -> [Effect] {
        [.load(.status)] + loads(for: s.tab, s)
    }

    public static func loads(for tab: Tab, _ s: ConsoleState) -> [Effect] {
        switch tab {
        case .services: return [.load(.services(s.window))]
        case .topology: return [.load(.topology(s.window))]
        case .traces:
            if let t = s.trace { return t.loaded ? [] : [.load(.trace(t.id))] }
            return [.load(.traces(s.traceSearch))]
        case .logs: return [.load(.logs(s.logSearch, generation: s.logGeneration))]
        case .metrics: return [.load(.metrics(MetricSearch(window: s.window, limit: 2_000)))]
        case .breakers:
            var e: [Effect] = [.load(.breakers)]
            if let b = s.selectedBreaker { e.append(.load(.breakerHistory(caller: b.caller, callee: b.callee))) }
            return e
        case .alerts: return [.load(.alerts)]
        case .limits: return [.load(.limits(s.window))]
        }
    }

    static func handle(_ key: Key, _ s: inout ConsoleState) -> [Effect] {
        s.notice = nil
        if s.showHelp {
            switch key {
            case .char("j"), .down: s.helpTop += 1
            case .char("k"), .up: s.helpTop = max(0, s.helpTop - 1)
            case .char("q"), .char("?"), .escape, .enter: s.showHelp = false
            default: break
            }
            return []
        }
        if let p = s.prompt { return edit(p, key, &s) }
        guard let action = KeyTable.action(for: key, on: s.page) else { return [] }
        return perform(action, &s)
    }

    static func perform(_ action: Action, _ s: inout ConsoleState) -> [Effect] {
        switch action {
        case .quit:
            s.quitting = true
            return [.quit]
        case .help:
            s.showHelp = true
            s.helpTop = 0
            return []
        case .nextTab: return switchTo(s.tab.next, &s)
        case .previousTab: return switchTo(s.tab.previous, &s)
        case .goToTab(let t): return switchTo(t, &s)
        case .up: return move(&s) { c, _, _ in c - 1 }
        case .down: return move(&s) { c, _, _ in c + 1 }
        case .pageUp: return move(&s) { c, _, h in c - h }
        case .pageDown: return move(&s) { c, _, h in c + h }
        case .top: return move(&s) { _, _, _ in 0 }
        case .bottom: return move(&s) { _, n, _ in n - 1 }
        case .drillIn: return drillIn(&s)
        case .back: return back(&s)
        case .filter:
            s.prompt = .filter(s.filters[s.tab] ?? "")
            return []
        case .command:
            s.prompt = .command("")
            return []
        case .sortColumn:
            let all = ServiceSort.allCases
            s.serviceSort = all[(s.serviceSort.rawValue + 1) % all.count]
            s.sortDescending = s.serviceSort != .name
            return []
        case .sortDirection:
            s.sortDescending.toggle()
            return []
        case .toggleLayout:
            s.topologyList.toggle()
            return []
        case .errorsOnly:
            s.traceFilter.errorsOnly.toggle()
            s.cursors[.traces] = Cursor()
            return [.load(.traces(s.traceSearch))]
        case .timeWindow:
            let all = ConsoleOptions.windows
            let i = all.firstIndex { $0 > s.windowMicros } ?? 0
            return setWindow(all[i], &s)
        case .pause:
            s.paused.toggle()
            return s.paused ? [] : refresh(s)
        case .refresh:
            if s.trace != nil { s.trace?.loaded = false }
            return refresh(s)
        }
    }

    static func setWindow(_ micros: Int64, _ s: inout ConsoleState) -> [Effect] {
        s.windowMicros = micros
        s.resetLogs()
        return refresh(s)
    }

    static func switchTo(_ t: Tab, _ s: inout ConsoleState) -> [Effect] {
        guard t != s.tab else { return loads(for: t, s) }
        s.backStack.append(s.tab)
        if s.backStack.count > 32 { s.backStack.removeFirst() }
        s.tab = t
        return loads(for: t, s)
    }

    static func move(_ s: inout ConsoleState, _ to: (Int, Int, Int) -> Int) -> [Effect] {
        let page = s.page
        let count = s.rowCount(s.tab)
        let height = s.listHeight(page)
        var c = page == .trace ? (s.trace?.cursor ?? Cursor()) : s.cursor(s.tab)
        let before = c.selected
        c.selected = max(0, min(to(c.selected, count, height), count - 1))
        c.scroll(count: count, height: height)
        if page == .trace {
            s.trace?.cursor = c
            return []
        }
        s.cursors[s.tab] = c
        if s.tab == .logs { s.logFollow = c.selected >= count - 1 }
        if s.tab == .breakers, before != c.selected, let b = s.selectedBreaker {
            return [.load(.breakerHistory(caller: b.caller, callee: b.callee))]
        }
        return []
    }
}

extension Cursor {
    /// Keeps the selection inside the list and the visible window.
    mutating func scroll(count: Int, height: Int) {
        selected = max(0, min(selected, count - 1))
        if selected < top { top = selected }
        if selected >= top + height { top = selected - height + 1 }
        top = max(0, min(top, max(count - height, 0)))
    }
}
