import MeshtopModel
import MeshtopQuery

/// Folding query results into the state.
extension ConsoleUpdate {
    static func apply(_ r: Response, _ s: inout ConsoleState) -> [Effect] {
        switch r {
        case .status(let st, let latest):
            s.status = st
            s.latestEventMicros = latest
            s.statusError = nil
            s.loaded.insert("status")
        case .services(let rows):
            keepingSelection(.services, &s, rows: \.visibleServices, key: \.service) { $0.services = rows }
            s.loaded.insert("services")
        case .topology(var t):
            t.edges.sort { ($0.caller, $0.callee) < ($1.caller, $1.callee) }
            keepingSelection(.topology, &s, rows: \.visibleEdges, key: { $0.caller + "→" + $0.callee }) {
                $0.topology = t
                $0.rebuildTopologyGraph()
            }
            s.loaded.insert("topology")
        case .traces(let search, let rows):
            var mine = s.traceSearch
            mine.window = search.window
            guard mine == search else { return [] }
            keepingSelection(.traces, &s, rows: \.visibleTraces, key: \.traceID.hex) { $0.traces = rows }
            s.loaded.insert("traces")
        case .trace(let id, let detail):
            guard s.trace?.id == id else { return [] }
            s.trace?.detail = detail
            s.trace?.loaded = true
            if detail == nil {
                s.notice = "no trace matches \(id)"
                s.noticeIsError = true
            }
            s.clampCursor(.traces)
        case .logs(let rows, let generation):
            guard generation == s.logGeneration else { return [] }
            appendLogs(rows, &s)
        case .metrics(let rows):
            let sorted = rows.sorted { a, b in
                a.name != b.name ? a.name < b.name : a.tags.lexicographicallyPrecedes(b.tags)
            }
            keepingSelection(
                .metrics, &s, rows: \.visibleMetrics, key: { $0.name + "|" + $0.tags.joined(separator: ",") }
            ) {
                $0.metrics = sorted
            }
            s.loaded.insert("metrics")
        case .breakers(let rows):
            let before = s.selectedBreaker.map { $0.caller + "→" + $0.callee }
            let sorted = rows.sorted {
                (ConsoleState.breakerRank($0.state), $0.caller, $0.callee)
                    < (ConsoleState.breakerRank($1.state), $1.caller, $1.callee)
            }
            keepingSelection(.breakers, &s, rows: \.visibleBreakers, key: { $0.caller + "→" + $0.callee }) {
                $0.breakers = sorted
            }
            s.loaded.insert("breakers")
            s.focusPendingBreaker()
            if let b = s.selectedBreaker, b.caller + "→" + b.callee != before || s.breakerHistoryKey == nil {
                return [.load(.breakerHistory(caller: b.caller, callee: b.callee))]
            }
        case .breakerHistory(let caller, let callee, let rows):
            guard let b = s.selectedBreaker, b.caller == caller, b.callee == callee else { return [] }
            s.breakerHistory = rows.sorted { $0.atMicros > $1.atMicros }
            s.breakerHistoryKey = caller + "→" + callee
        case .alerts(let rows, let history):
            let sorted = rows.sorted {
                (ConsoleState.alertRank($0.state), -$0.sinceMicros, $0.fingerprint)
                    < (ConsoleState.alertRank($1.state), -$1.sinceMicros, $1.fingerprint)
            }
            keepingSelection(.alerts, &s, rows: \.visibleAlerts, key: \.fingerprint) { $0.alerts = sorted }
            s.alertHistory = history.sorted { $0.atMicros > $1.atMicros }
            s.loaded.insert("alerts")
        case .limits(let rows):
            let sorted = rows.sorted {
                ($0.rule, $0.service, $0.caller, $0.callee) < ($1.rule, $1.service, $1.caller, $1.callee)
            }
            keepingSelection(.limits, &s, rows: \.visibleLimits, key: { $0.rule + "|" + LimitsView.resource($0) }) {
                $0.limits = sorted
            }
            s.loaded.insert("limits")
        case .failed(let request, let message):
            if request == .status {
                s.statusError = message
            } else {
                s.notice = request.kind + ": " + message
                s.noticeIsError = true
            }
        }
        return []
    }

    static func appendLogs(_ rows: [LogRow], _ s: inout ConsoleState) {
        s.loaded.insert("logs")
        let last = s.logs.last?.id ?? Int64.min
        let fresh = rows.filter { $0.id > last }.sorted { $0.id < $1.id }
        guard !fresh.isEmpty else { return }
        s.logs.append(contentsOf: fresh)
        let excess = s.logs.count - ConsoleState.logCapacity
        var c = s.cursor(.logs)
        if excess > 0 {
            s.logs.removeFirst(excess)
            c.selected = max(0, c.selected - excess)
            c.top = max(0, c.top - excess)
            s.cursors[.logs] = c
        }
        if s.logFollow {
            moveLogsToEnd(&s)
        } else {
            s.clampCursor(.logs)
        }
    }

    /// Replaces a list's data while keeping the same row selected (by `key`) and at the same screen position,
    /// so a refresh that reorders rows does not move the selection to another service or trace.
    static func keepingSelection<T>(
        _ tab: Tab, _ s: inout ConsoleState, rows: (ConsoleState) -> [T], key: (T) -> String,
        _ change: (inout ConsoleState) -> Void
    ) {
        let before = rows(s)
        let c = s.cursor(tab)
        let selected = before.indices.contains(c.selected) ? key(before[c.selected]) : nil
        change(&s)
        if let k = selected, let i = rows(s).firstIndex(where: { key($0) == k }) {
            s.cursors[tab] = Cursor(selected: i, top: c.top + i - c.selected)
        }
        s.clampCursor(tab)
    }
}
