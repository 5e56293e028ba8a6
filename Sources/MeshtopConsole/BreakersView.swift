import MeshtopModel
import MeshtopQuery

/// Breakers: the state of every edge's breaker, and the transition history of the selected one.
enum BreakersView {
    static func draw(_ s: ConsoleState, _ screen: inout Screen, _ r: Region) {
        let t = Table(
            [
                TableColumn(title: "EDGE", width: 20, flexible: true),
                TableColumn(title: "SOURCE", width: 9, minTerminalCols: 90),
                TableColumn(title: "STATE", width: 9),
                TableColumn(title: "FAIL%", width: 6, right: true),
                TableColumn(title: "SLOW%", width: 6, right: true),
                TableColumn(title: "CALLS", width: 6, right: true),
                TableColumn(title: "REJECT", width: 7, right: true),
                TableColumn(title: "SINCE", width: 6, right: true),
                TableColumn(title: "LAST", width: 6, right: true, minTerminalCols: 100),
            ], cols: s.cols)
        t.header(&screen, row: r.top)
        let rows = s.visibleBreakers
        let listHeight = s.listHeight(.tab(.breakers))
        let empty = s.emptyText("breakers", "no breakers: no calls between services yet")
        screen.list(rows, cursor: s.cursor(.breakers), top: r.top + 1, height: listHeight, empty: empty) {
            screen, b, y in
            t.row(
                &screen, row: y,
                [
                    (clean(b.caller) + " " + s.glyphs.arrowRight + " " + clean(b.callee), .normal),
                    (b.source.rawValue, .dim),
                    (Roles.breakerLabel(b.state), Roles.breaker(b.state)),
                    (rate(b.failureRate), (b.failureRate ?? 0) >= 50 ? Style(.error, bold: true) : .normal),
                    (rate(b.slowCallRate), .normal),
                    (String(b.callsInWindow), .normal),
                    (Format.count(Double(b.wouldReject)), b.wouldReject > 0 ? Style(.warning) : .normal),
                    (Format.age(s.nowMicros - b.sinceMicros), .dim),
                    (Format.age(s.nowMicros - b.lastCallMicros), .dim),
                ])
        }
        history(s, &screen, top: r.top + 1 + listHeight, bottom: r.bottom)
    }

    static func rate(_ v: Double?) -> String { v.map { Format.fixed($0, 1) } ?? "-" }
    static func percent(_ v: Double?) -> String { v.map { Format.fixed($0, 1) + "%" } ?? "-" }

    static func history(_ s: ConsoleState, _ screen: inout Screen, top: Int, bottom: Int) {
        guard let b = s.selectedBreaker, top < bottom else { return }
        let g = s.glyphs
        let title =
            g.horizontal + " transitions of " + clean(b.caller) + " " + g.arrowRight + " " + clean(b.callee) + " "
        screen.fill(row: top, col: 0, width: s.cols, style: .dim, character: Character(g.horizontal))
        screen.put(title, row: top, col: 1, style: .title)
        let key = b.caller + "→" + b.callee
        guard s.breakerHistoryKey == key else {
            screen.put("loading…", row: top + 1, col: 2, style: .dim)
            return
        }
        if s.breakerHistory.isEmpty {
            screen.put(
                "no transitions: the breaker has stayed " + Roles.breakerLabel(b.state), row: top + 1, col: 2,
                style: .dim)
        }
        for (i, h) in s.breakerHistory.prefix(bottom - top - 1).enumerated() {
            let y = top + 1 + i
            var x = 2
            x += screen.put(Format.clock(h.atMicros) + "  ", row: y, col: x, style: .dim)
            x += screen.put(Roles.breakerLabel(h.from).fitted(to: 9), row: y, col: x, style: Roles.breaker(h.from))
            x += screen.put(" " + g.arrowRight + " ", row: y, col: x)
            x += screen.put(Roles.breakerLabel(h.to).fitted(to: 10), row: y, col: x, style: Roles.breaker(h.to))
            let detail = "fail " + percent(h.failureRate) + " slow " + percent(h.slowCallRate) + " of \(h.calls) calls"
            screen.put(detail, row: y, col: x + 1, maxWidth: s.cols - x - 2)
        }
    }
}
