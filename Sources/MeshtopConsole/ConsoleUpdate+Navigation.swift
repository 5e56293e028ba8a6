import MeshtopModel
import MeshtopQuery

/// Drill-in, back, and the searches the current filters describe.
extension ConsoleUpdate {
    static func drillIn(_ s: inout ConsoleState) -> [Effect] {
        let sel = s.cursor(s.tab).selected
        switch s.page {
        case .tab(.services):
            let rows = s.visibleServices
            guard rows.indices.contains(sel) else { return [] }
            s.traceFilter.service = rows[sel].service
            s.cursors[.traces] = Cursor()
            s.trace = nil
            return switchTo(.traces, &s)
        case .tab(.topology):
            let edges = s.visibleEdges
            guard edges.indices.contains(sel) else { return [] }
            s.pendingBreaker = edges[sel].caller + "→" + edges[sel].callee
            s.focusPendingBreaker()
            return switchTo(.breakers, &s)
        case .tab(.traces):
            let rows = s.visibleTraces
            guard rows.indices.contains(sel) else { return [] }
            return open(trace: rows[sel].traceID.hex, from: .traces, &s)
        case .tab(.logs):
            let rows = s.visibleLogs
            guard rows.indices.contains(sel), let id = rows[sel].record.traceID else {
                s.notice = "this line has no trace id"
                return []
            }
            return open(trace: id.hex, from: .logs, &s)
        default:
            return []
        }
    }

    static func open(trace id: String, from: Tab, _ s: inout ConsoleState) -> [Effect] {
        s.trace = TraceView(id: id, returnTo: from)
        if s.tab != .traces {
            s.backStack.append(s.tab)
            s.tab = .traces
        }
        return [.load(.trace(id))]
    }

    static func back(_ s: inout ConsoleState) -> [Effect] {
        if let t = s.trace, s.tab == .traces {
            s.trace = nil
            if t.returnTo != .traces {
                s.tab = t.returnTo
                if s.backStack.last == t.returnTo { s.backStack.removeLast() }
            }
            return loads(for: s.tab, s)
        }
        if let f = s.filters[s.tab], !f.isEmpty {
            s.filters[s.tab] = nil
            if s.tab == .topology { s.rebuildTopologyGraph() }
            return []
        }
        guard let previous = s.backStack.popLast() else { return [] }
        s.tab = previous
        return loads(for: previous, s)
    }
}

extension ConsoleState {
    /// The Jaeger-like search the trace filters describe.
    public var traceSearch: TraceSearch {
        TraceSearch(
            window: window, service: traceFilter.service, operation: traceFilter.operation,
            minDurationMicros: traceFilter.minDurationMicros, errorsOnly: traceFilter.errorsOnly, limit: 200)
    }

    /// The live-tail search: only records newer than the ones already held.
    public var logSearch: LogSearch {
        LogSearch(window: window, service: traceFilter.service, limit: 500, afterID: logs.last?.id)
    }

    public var selectedBreaker: BreakerStatus? {
        let rows = visibleBreakers
        let i = cursor(.breakers).selected
        return rows.indices.contains(i) ? rows[i] : nil
    }

    mutating func resetLogs() {
        logs = []
        logGeneration += 1
        logFollow = true
        cursors[.logs] = Cursor()
    }

    mutating func rebuildTopologyGraph() {
        let nodes = topology?.nodes ?? []
        let edges = visibleEdges
        guard !nodes.isEmpty || !edges.isEmpty else {
            topologyGraph = nil
            return
        }
        let health = Dictionary(nodes.map { ($0.service, $0.health) }, uniquingKeysWith: { a, _ in a })
        let names = nodes.map(\.service)
        let pairs = edges.map { ($0.caller, $0.callee) }
        let layout: TopologyLayout
        if let old = topologyGraph?.layout, old.inputNames == names,
            old.inputEdges.elementsEqual(pairs, by: { $0 == [$1.0, $1.1] })
        {
            layout = old
        } else {
            layout = TopologyLayout(names: names, edges: pairs)
        }
        topologyGraph = TopologyCanvas(layout: layout, edges: edges, health: health, glyphs: glyphs)
    }

    mutating func clampCursor(_ t: Tab) {
        var c = cursor(t)
        c.scroll(count: rowCount(t), height: listHeight(.tab(t)))
        cursors[t] = c
        if t == .traces, var tv = trace {
            tv.cursor.scroll(count: waterfallRows.count, height: listHeight(.trace))
            trace = tv
        }
    }

    /// Selects the breaker chosen on the topology once the breakers are known.
    mutating func focusPendingBreaker() {
        guard let key = pendingBreaker else { return }
        let rows = visibleBreakers
        guard let i = rows.firstIndex(where: { $0.caller + "→" + $0.callee == key }) else { return }
        var c = Cursor(selected: i)
        c.scroll(count: rows.count, height: listHeight(.tab(.breakers)))
        cursors[.breakers] = c
        pendingBreaker = nil
    }
}
