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
            s.services = rows
            s.loaded.insert("services")
            s.clampCursor(.services)
        case .topology(var t):
            t.edges.sort { ($0.caller, $0.callee) < ($1.caller, $1.callee) }
            s.topology = t
            s.loaded.insert("topology")
            s.rebuildTopologyGraph()
            s.clampCursor(.topology)
        case .traces(let search, let rows):
            var mine = s.traceSearch
            mine.window = search.window
            guard mine == search else { return [] }
            s.traces = rows
            s.loaded.insert("traces")
            s.clampCursor(.traces)
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
            s.metrics = rows.sorted { a, b in
                a.name != b.name ? a.name < b.name : a.tags.lexicographicallyPrecedes(b.tags)
            }
            s.loaded.insert("metrics")
            s.clampCursor(.metrics)
        case .breakers(let rows):
            let before = s.selectedBreaker.map { $0.caller + "→" + $0.callee }
            s.breakers = rows.sorted {
                (ConsoleState.breakerRank($0.state), $0.caller, $0.callee)
                    < (ConsoleState.breakerRank($1.state), $1.caller, $1.callee)
            }
            s.loaded.insert("breakers")
            s.focusPendingBreaker()
            s.clampCursor(.breakers)
            if let b = s.selectedBreaker, b.caller + "→" + b.callee != before || s.breakerHistoryKey == nil {
                return [.load(.breakerHistory(caller: b.caller, callee: b.callee))]
            }
        case .breakerHistory(let caller, let callee, let rows):
            guard let b = s.selectedBreaker, b.caller == caller, b.callee == callee else { return [] }
            s.breakerHistory = rows.sorted { $0.atMicros > $1.atMicros }
            s.breakerHistoryKey = caller + "→" + callee
        case .alerts(let rows, let history):
            s.alerts = rows.sorted {
                (ConsoleState.alertRank($0.state), -$0.sinceMicros, $0.fingerprint)
                    < (ConsoleState.alertRank($1.state), -$1.sinceMicros, $1.fingerprint)
            }
            s.alertHistory = history.sorted { $0.atMicros > $1.atMicros }
            s.loaded.insert("alerts")
            s.clampCursor(.alerts)
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
}
