import MeshtopModel
import MeshtopQuery

/// Traces: a Jaeger-like search result list.
enum TracesView {
    static func draw(_ s: ConsoleState, _ screen: inout Screen, _ r: Region) {
        var f: [String] = []
        let tf = s.traceFilter
        f.append("service=" + (tf.service.map(clean) ?? "any"))
        if let op = tf.operation { f.append("op=" + clean(op)) }
        if let m = tf.minDurationMicros { f.append("min=" + DurationText.format(micros: m)) }
        if tf.errorsOnly { f.append("errors only") }
        let rows = s.visibleTraces
        let line = "Search: " + f.joined(separator: "  ") + "   \(rows.count) traces"
        screen.put(line, row: r.top, col: 1, style: .title, maxWidth: s.cols - 2)
        let t = Table(
            [
                TableColumn(title: "START", width: 12),
                TableColumn(title: "DURATION", width: 8, right: true),
                TableColumn(title: "", width: 1),
                TableColumn(title: "ROOT", width: 20, flexible: true),
                TableColumn(title: "SPANS", width: 5, right: true),
                TableColumn(title: "SVCS", width: 4, right: true, minTerminalCols: 90),
                TableColumn(title: "TIME", width: 10, minTerminalCols: 90),
                TableColumn(title: "TRACE ID", width: 16),
            ], cols: s.cols)
        t.header(&screen, row: r.top + 1)
        let longest = max(rows.map(\.durationMicros).max() ?? 1, 1)
        let barWidth = t.width("TIME")
        let empty = s.emptyText("traces", "no traces match; :clear resets the search")
        screen.list(rows, cursor: s.cursor(.traces), top: r.top + 2, height: r.height - 2, empty: empty) {
            screen, tr, y in
            let n = max(1, Int((Double(tr.durationMicros) / Double(longest) * Double(barWidth)).rounded()))
            let bar = String(repeating: s.glyphs.barFull, count: min(n, barWidth))
            t.row(
                &screen, row: y,
                [
                    (Format.clockMillis(tr.startMicros), .normal),
                    (Format.micros(tr.durationMicros), .normal),
                    (tr.error ? s.glyphs.errorMark : "", Style(.error, bold: true)),
                    (clean(tr.rootService) + ": " + clean(tr.rootOperation), tr.error ? Style(.error) : .normal),
                    (String(tr.spanCount), .normal),
                    (String(tr.services.count), .normal),
                    (bar, Style(tr.error ? .barError : .bar)),
                    (String(tr.traceID.hex.suffix(16)), .dim),
                ])
        }
    }
}
