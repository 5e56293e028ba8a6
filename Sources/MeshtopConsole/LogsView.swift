import MeshtopModel
import MeshtopQuery

/// Logs: the live tail with severity colours.
enum LogsView {
    static func draw(_ s: ConsoleState, _ screen: inout Screen, _ r: Region) {
        let rows = s.visibleLogs
        let c = s.cursor(.logs)
        let state = s.logFollow ? "following" : "scrolled (G follows)"
        var title = "\(rows.count) lines, \(state)"
        if let svc = s.traceFilter.service { title += ", service " + clean(svc) }
        screen.put(title, row: r.top, col: 1, style: .title, maxWidth: s.cols - 2)
        let svcWidth = min(16, max(10, s.cols / 8))
        let empty = s.emptyText("logs", "no logs in the window")
        screen.list(rows, cursor: c, top: r.top + 1, height: r.height - 1, empty: empty) { screen, l, y in
            let rec = l.record
            var x = 1
            x += screen.put(Format.clockMillis(rec.timeMicros) + " ", row: y, col: x, style: .dim)
            x += screen.put(
                rec.severity.name.uppercased().fitted(to: 7), row: y, col: x, style: Roles.severity(rec.severity))
            x += screen.put(clean(rec.service).fitted(to: svcWidth) + " ", row: y, col: x, style: Style(.title))
            if rec.traceID != nil { screen.put(s.glyphs.arrowRight, row: y, col: x, style: .dim) }
            x += 2
            let msgStyle = rec.severity <= .error ? Roles.severity(rec.severity) : .normal
            screen.put(clean(rec.message), row: y, col: x, style: msgStyle, maxWidth: s.cols - x)
        }
    }
}
