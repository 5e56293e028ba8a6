import MeshtopModel
import MeshtopQuery

/// The trace waterfall: the span tree on a time ruler with bars scaled to the width, the critical path and
/// errors marked, then the selected span's attributes and events and the logs sharing the trace id.
enum WaterfallView {
    static func draw(_ s: ConsoleState, _ screen: inout Screen, _ r: Region) {
        guard let tv = s.trace else { return }
        guard let detail = tv.detail, !detail.spans.isEmpty else {
            let msg =
                tv.loaded
                ? "no trace \(clean(tv.id)) in the database (Esc goes back)" : "loading trace \(clean(tv.id))…"
            screen.put(msg, row: r.top + 1, col: 2, style: .dim)
            return
        }
        let rows = s.waterfallRows
        let t0 = detail.spans.map(\.startMicros).min() ?? 0
        let t1 = detail.spans.map(\.endMicros).max() ?? t0
        let total = max(t1 - t0, 1)
        let g = s.glyphs
        let errors = detail.spans.filter(\.isError).count
        let services = Set(detail.spans.map(\.service)).count
        var title =
            "Trace " + detail.traceID.hex + "  " + Format.micros(total) + "  \(detail.spans.count) spans  "
            + "\(services) services"
        if errors > 0 { title += errors == 1 ? "  1 error" : "  \(errors) errors" }
        screen.put(title, row: r.top, col: 1, style: .title, maxWidth: s.cols - 2)

        let left = min(max(30, s.cols * 2 / 5), 60)
        let x0 = left + 2
        let width = max(s.cols - x0 - 9, 10)
        ruler(&screen, row: r.top + 1, x0: x0, width: width, total: total, left: left, g)
        let listHeight = s.listHeight(.trace)
        let c = tv.cursor
        for (i, row) in rows.enumerated().dropFirst(c.top).prefix(listHeight) {
            let y = r.top + 2 + i - c.top
            let sp = row.span
            let mark = sp.isError ? g.errorMark : (row.critical ? g.critical : " ")
            screen.put(mark, row: y, col: 0, style: sp.isError ? Style(.error, bold: true) : Style(.critical))
            var prefix = ""
            for cont in row.continues.dropFirst() { prefix += cont ? g.treePipe : "  " }
            if row.depth > 0 { prefix += row.isLast ? g.treeLast : g.treeBranch }
            var x = 1
            x += screen.put(prefix, row: y, col: x, style: .dim, maxWidth: left - x)
            x += screen.put(clean(sp.service), row: y, col: x, style: Style(.title, bold: true), maxWidth: left - x)
            screen.put(
                " " + clean(sp.name), row: y, col: x, style: sp.isError ? Style(.error) : .normal, maxWidth: left - x)
            let start = Int(Double(sp.startMicros - t0) / Double(total) * Double(width))
            let length = max(1, Int((Double(sp.durationMicros) / Double(total) * Double(width)).rounded()))
            let barStart = min(start, width - 1)
            let barLength = min(length, width - barStart)
            let role: Role = sp.isError ? .barError : (row.critical ? .barCritical : .bar)
            screen.fill(
                row: y, col: x0 + barStart, width: barLength, style: Style(role), character: Character(g.barFull))
            screen.put(
                Format.micros(sp.durationMicros).fitted(to: 8, right: true), row: y, col: s.cols - 8, style: .dim)
            if i == c.selected { screen.select(row: y) }
        }
        let paneTop = r.top + 2 + listHeight
        guard rows.indices.contains(c.selected), paneTop < r.bottom else { return }
        SpanPane.draw(rows[c.selected].span, detail: detail, t0: t0, s, &screen, top: paneTop, bottom: r.bottom)
    }

    /// `0` at the left, tick labels at quarters, the total at the right.
    static func ruler(_ screen: inout Screen, row: Int, x0: Int, width: Int, total: Int64, left: Int, _ g: Glyphs) {
        screen.put("SPAN", row: row, col: 1, style: .columnHeader)
        screen.fill(row: row, col: x0, width: width, style: .dim, character: Character(g.horizontal))
        for q in 0...4 {
            let x = x0 + (width - 1) * q / 4
            let label = q == 0 ? "0" : Format.micros(total * Int64(q) / 4)
            let lx = q == 4 ? x - label.columns + 1 : (q == 0 ? x : x - label.columns / 2)
            screen.put(g.vertical, row: row, col: x, style: .dim)
            screen.put(label, row: row, col: max(lx, x0), style: .columnHeader)
        }
    }
}
