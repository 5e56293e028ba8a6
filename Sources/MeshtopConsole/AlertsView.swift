import MeshtopModel
import MeshtopQuery

/// Alerts: pending, firing and resolved instances with how long they have been so, and the recent history.
enum AlertsView {
    static func draw(_ s: ConsoleState, _ screen: inout Screen, _ r: Region) {
        let t = Table(
            [
                TableColumn(title: "STATE", width: 8),
                TableColumn(title: "SEV", width: 8),
                TableColumn(title: "ALERT", width: 24, flexible: true),
                TableColumn(title: "VALUE", width: 8, right: true),
                TableColumn(title: "FOR", width: 6, right: true),
                TableColumn(title: "SUMMARY", width: 30, minTerminalCols: 110),
            ], cols: s.cols)
        t.header(&screen, row: r.top)
        let rows = s.visibleAlerts
        let listHeight = s.listHeight(.tab(.alerts))
        let empty = s.emptyText("alerts", "no active alerts")
        screen.list(rows, cursor: s.cursor(.alerts), top: r.top + 1, height: listHeight, empty: empty) { screen, a, y in
            t.row(
                &screen, row: y,
                [
                    (a.state.rawValue, Roles.alert(a.state)),
                    (clean(a.severity), a.severity == "critical" ? Style(.critical, bold: true) : .normal),
                    (clean(a.fingerprint), .normal),
                    (JSONNumber.short(a.value), .normal),
                    (Format.age(duration(a, s.nowMicros)), .dim),
                    (clean(a.summary), .normal),
                ])
        }
        history(s, &screen, top: r.top + 1 + listHeight, bottom: r.bottom, summaryShown: t.index(of: "SUMMARY") != nil)
    }

    /// Pending: since activeAt; firing: since it fired; resolved: since it resolved.
    static func duration(_ a: AlertStatus, _ now: Int64) -> Int64 {
        switch a.state {
        case .firing: return now - (a.firedAtMicros ?? a.sinceMicros)
        case .resolved: return now - (a.resolvedAtMicros ?? a.sinceMicros)
        default: return now - a.sinceMicros
        }
    }

    static func history(_ s: ConsoleState, _ screen: inout Screen, top: Int, bottom: Int, summaryShown: Bool) {
        guard top < bottom else { return }
        let g = s.glyphs
        screen.fill(row: top, col: 0, width: s.cols, style: .dim, character: Character(g.horizontal))
        var title = g.horizontal + " history "
        if !summaryShown, let a = s.visibleAlerts.dropFirst(s.cursor(.alerts).selected).first {
            title += g.horizontal + " " + clean(a.summary) + " "
        }
        screen.put(title, row: top, col: 1, style: .title, maxWidth: s.cols - 2)
        for (i, h) in s.alertHistory.prefix(bottom - top - 1).enumerated() {
            let y = top + 1 + i
            var x = 2
            x += screen.put(Format.clock(h.atMicros) + "  ", row: y, col: x, style: .dim)
            x += screen.put(h.from.rawValue.fitted(to: 8) + " " + g.arrowRight + " ", row: y, col: x, style: .dim)
            x += screen.put(h.to.rawValue.fitted(to: 9), row: y, col: x, style: Roles.alert(h.to))
            let labels = h.labels.map { $0.key + "=" + $0.value.text }.joined(separator: ",")
            screen.put(
                clean(h.rule + "{" + labels + "}") + "  " + clean(h.summary), row: y, col: x, maxWidth: s.cols - x - 1)
        }
    }
}

/// Alert values: integers plainly, others with up to 3 significant decimals.
enum JSONNumber {
    static func short(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e12 { return String(Int64(v)) }
        if abs(v) >= 100 { return Format.fixed(v, 1) }
        let r = (v * 1000).rounded() / 1000
        return String(r)
    }
}
