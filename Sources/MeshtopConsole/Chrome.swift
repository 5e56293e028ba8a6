import MeshtopModel
import MeshtopQuery

/// Header, tab bar, footer and help: the frame around every view.
enum Chrome {
    /// Row 0: collector liveness and counters, the time window, pause state. The window always shows; the
    /// clock only when there is room.
    static func header(_ s: ConsoleState, _ screen: inout Screen) {
        screen.fill(row: 0, col: 0, width: s.cols, style: .header)
        var right = "window " + DurationText.format(micros: s.windowMicros)
        if s.windowEndMicros < s.nowMicros { right += " to " + Format.clock(s.windowEndMicros) }
        if s.paused { right = "PAUSED  " + right }
        right += " "
        let clock = Format.clock(s.nowMicros) + "Z "
        let left = leftHeader(s)
        let leftWidth = left.reduce(0) { $0 + $1.0.columns }
        if leftWidth + right.columns + clock.columns <= s.cols { right += clock }
        var x = 0
        let limit = s.cols - right.columns - 1
        for (text, style) in left where x < limit {
            x += screen.put(text, row: 0, col: x, style: style, maxWidth: limit - x)
        }
        let style = s.paused ? Style(.warning, bold: true, reverse: true) : Style(.header, bold: true, reverse: true)
        screen.put(right, row: 0, col: max(s.cols - right.columns, 0), style: style)
    }

    static func leftHeader(_ s: ConsoleState) -> [(String, Style)] {
        let warn = Style(.warning, bold: true, reverse: true)
        var out: [(String, Style)] = [(" meshtop  ", Style(.header, bold: true, reverse: true))]
        if let err = s.statusError {
            out.append(("database: " + clean(err), Style(.error, bold: true, reverse: true)))
            return out
        }
        guard let st = s.status else { return out + [("loading…", .header)] }
        if let writer = st.writerStatus {
            out.append(("collector: " + clean(writer), Style(.error, bold: true, reverse: true)))
        } else if let last = st.lastWriteMicros {
            let age = s.nowMicros - last
            out.append(
                age > ConsoleState.staleMicros
                    ? ("collector STALE " + Format.age(age), warn) : ("collector live " + Format.age(age), .header))
        } else {
            out.append(("collector: no writes yet", warn))
        }
        out.append(("  " + Format.count(st.linesPerSecond) + " lines/s", .header))
        out.append(("  rej " + Format.count(Double(st.rejectedTotal)), .header))
        out.append(("  drop " + Format.count(Double(st.dropped)), st.dropped > 0 ? warn : .header))
        // HTTP/gRPC receivers, once they have stored something: OTLP (HTTP + gRPC) and Zipkin items, and requests
        // told to retry later (the queue was full).
        let otlp = (st.receiverItems["otlp_http"] ?? 0) + (st.receiverItems["otlp_grpc"] ?? 0)
        if otlp > 0 { out.append(("  otlp " + Format.count(Double(otlp)), .header)) }
        if let zipkin = st.receiverItems["zipkin"], zipkin > 0 {
            out.append(("  zipkin " + Format.count(Double(zipkin)), .header))
        }
        if st.receiverRetries > 0 { out.append(("  retry " + Format.count(Double(st.receiverRetries)), warn)) }
        out.append(("  db " + Format.bytes(st.databaseBytes), .header))
        return out
    }

    /// Row 1: the tabs, the current one highlighted, and active filters on the right.
    static func tabs(_ s: ConsoleState, _ screen: inout Screen) {
        var x = 0
        // " 1 Services " each; without the trailing space when that does not fit (80 columns).
        let compact = Tab.allCases.reduce(0) { $0 + $1.title.count + 4 } > s.cols
        for t in Tab.allCases {
            let label = " \(t.rawValue + 1) \(t.title)" + (compact ? "" : " ")
            let style = t == s.tab ? Style(.selection, bold: true, reverse: true) : Style(.normal)
            x += screen.put(label, row: 1, col: x, style: style)
        }
        var parts: [String] = []
        if let svc = s.traceFilter.service { parts.append("svc=" + clean(svc)) }
        if let f = s.filters[s.tab] { parts.append("/" + clean(f)) }
        let right = parts.joined(separator: " ")
        if !right.isEmpty {
            let text = right.truncated(to: max(s.cols - x - 2, 0))
            screen.put(text, row: 1, col: s.cols - text.columns - 1, style: Style(.warning, bold: true))
        }
    }

    /// The last row: the prompt being edited, a notice, or the key hints of the page.
    static func footer(_ s: ConsoleState, _ screen: inout Screen) {
        let row = s.rows - 1
        screen.fill(row: row, col: 0, width: s.cols, style: .footer)
        if let p = s.prompt {
            let (lead, text): (String, String)
            switch p {
            case .filter(let t): (lead, text) = ("/", t)
            case .command(let t): (lead, text) = (":", t)
            }
            let shown = clean(text)
            let avail = s.cols - 2
            let tail = shown.columns > avail ? String(shown.suffix(avail)) : shown
            screen.put(lead + tail + "_", row: row, col: 0, style: Style(.footer, bold: true, reverse: true))
            return
        }
        if let n = s.notice {
            screen.put(
                " " + clean(n), row: row, col: 0,
                style: Style(
                    s.noticeIsError ? .error : .footer, bold: true,
                    reverse: true))
            return
        }
        var x = 1
        for h in KeyTable.hints(for: s.showHelp ? .trace : s.page) {
            let need = h.key.columns + h.label.columns + 3
            if x + need > s.cols { break }
            x += screen.put(h.key, row: row, col: x, style: Style(.key, bold: true, reverse: true))
            x += screen.put(" " + h.label + "  ", row: row, col: x, style: .footer)
        }
    }

    /// The `?` screen, generated from the key table.
    static func help(_ s: ConsoleState, _ screen: inout Screen, _ r: Region) {
        screen.put(" Keys (? or Esc closes)", row: r.top, col: 0, style: .title)
        var lines: [(String, String, String)] = []
        var seen = Set<String>()
        for b in KeyTable.bindings {
            let key = b.keyLabel + "|" + b.description
            guard seen.insert(key).inserted else { continue }
            let pages = b.pages.map { set in
                Tab.allCases.filter { set.contains(.tab($0)) }.map(\.title) + (set.contains(.trace) ? ["Trace"] : [])
            }
            let scope = pages.map { $0.count > 6 ? "lists" : $0.joined(separator: ", ") } ?? "all"
            lines.append((b.keyLabel, b.description, scope))
        }
        let top = min(s.helpTop, max(lines.count - (r.height - 2), 0))
        for (i, l) in lines.dropFirst(top).prefix(r.height - 2).enumerated() {
            let y = r.top + 2 + i
            screen.put(l.0, row: y, col: 2, style: Style(.key, bold: true))
            screen.put(l.1, row: y, col: 10, maxWidth: s.cols - 22)
            screen.put(l.2, row: y, col: max(s.cols - 11, 10), style: .dim, maxWidth: 10)
        }
    }
}

extension ConsoleState {
    /// A collector that has not written for this long is shown as stale.
    public static let staleMicros: Int64 = 30_000_000
}
