import MeshtopModel
import MeshtopQuery

/// The lower pane of the waterfall: the selected span's fields, attributes, events and links, then the trace's
/// logs.
enum SpanPane {
    static func draw(
        _ sp: Span, detail: TraceDetail, t0: Int64, _ s: ConsoleState, _ screen: inout Screen, top: Int, bottom: Int
    ) {
        let g = s.glyphs
        screen.fill(row: top, col: 0, width: s.cols, style: .dim, character: Character(g.horizontal))
        var head = g.horizontal + " " + clean(sp.service) + " " + clean(sp.name) + " "
        if sp.kind != .unspecified { head += sp.kind.name + " " }
        head += Format.micros(sp.durationMicros) + " at +" + Format.micros(sp.startMicros - t0) + " "
        screen.put(head, row: top, col: 1, style: .title, maxWidth: s.cols - 2)
        var lines: [[(String, Style)]] = []
        var first: [(String, Style)] = [("span " + sp.spanID.hex, .dim)]
        if let p = sp.parentID { first.append(("  parent " + p.hex, .dim)) }
        if let peer = sp.peerService { first.append(("  peer " + clean(peer), .normal)) }
        if sp.isError {
            first.append(("  ERROR", Style(.error, bold: true)))
            if let m = sp.statusMessage { first.append((" " + clean(m), Style(.error))) }
        }
        lines.append(first)
        lines += wrap(sp.attributes.map { clean($0.key) + "=" + clean($0.value.text) }, width: s.cols - 4)
            .map { [($0, Style.normal)] }
        for e in sp.events {
            let attrs = e.attributes.map { clean($0.key) + "=" + clean($0.value.text) }.joined(separator: " ")
            lines.append([
                ("+" + Format.micros(e.timeMicros - t0) + " ", .dim), (clean(e.name), Style(.warning)),
                (attrs.isEmpty ? "" : " " + attrs, .normal),
            ])
        }
        for link in sp.links {
            let attrs = link.attributes.map { clean($0.key) + "=" + clean($0.value.text) }.joined(separator: " ")
            let target =
                link.traceID == detail.traceID
                ? "span \(link.spanID.hex) of this trace" : "trace \(link.traceID.hex) span \(link.spanID.hex)"
            lines.append([("link ", Style(.warning)), (target, .normal), (attrs.isEmpty ? "" : " " + attrs, .dim)])
        }
        let logs = detail.logs.sorted { $0.timeMicros < $1.timeMicros }
        lines.append([("logs with this trace id: \(logs.count)", .title)])
        for l in logs {
            let mine = l.spanID == sp.spanID
            lines.append([
                (mine ? g.arrowRight + " " : "  ", .dim),
                (Format.clockMillis(l.timeMicros) + " ", .dim),
                (l.severity.name.uppercased().fitted(to: 7), Roles.severity(l.severity)),
                (clean(l.service) + " ", Style(.title)),
                (clean(l.message), l.severity <= .error ? Roles.severity(l.severity) : .normal),
            ])
        }
        for (i, parts) in lines.prefix(bottom - top - 1).enumerated() {
            var x = 2
            for (text, style) in parts where x < s.cols - 1 {
                x += screen.put(text, row: top + 1 + i, col: x, style: style, maxWidth: s.cols - 1 - x)
            }
        }
    }

    /// Packs `items` into lines of at most `width` columns, two spaces apart.
    static func wrap(_ items: [String], width: Int) -> [String] {
        var out: [String] = []
        var line = ""
        for item in items {
            if line.isEmpty {
                line = item
            } else if line.columns + 2 + item.columns <= width {
                line += "  " + item
            } else {
                out.append(line)
                line = item
            }
        }
        if !line.isEmpty { out.append(line) }
        return out
    }
}
