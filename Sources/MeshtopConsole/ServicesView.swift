import MeshtopModel
import MeshtopQuery

/// Services: the RED table with health colours and sparklines of rate and p99.
enum ServicesView {
    static func table(cols: Int) -> Table {
        let spark = max(8, min(30, (cols - 80) / 2 + 8))
        return Table(
            [
                TableColumn(title: "", width: 1),
                TableColumn(title: "SERVICE", width: 12, flexible: true),
                TableColumn(title: "REQ", width: 6, right: true, minTerminalCols: 100),
                TableColumn(title: "ERR%", width: 5, right: true),
                TableColumn(title: "RPS", width: 6, right: true),
                TableColumn(title: "P50", width: 6, right: true),
                TableColumn(title: "P99", width: 6, right: true),
                TableColumn(title: "INFLIGHT", width: 8, right: true, minTerminalCols: 110),
                TableColumn(title: "APDEX", width: 5, right: true),
                TableColumn(title: "HEALTH", width: 8),
                TableColumn(title: "RATE", width: spark),
                TableColumn(title: "LATENCY", width: spark),
            ], cols: cols)
    }

    static func sortTitle(_ s: ServiceSort) -> String {
        switch s {
        case .name: return "SERVICE"
        case .requests: return "REQ"
        case .errorRate: return "ERR%"
        case .rps: return "RPS"
        case .p50: return "P50"
        case .p99: return "P99"
        case .apdex: return "APDEX"
        case .health: return "HEALTH"
        }
    }

    static func draw(_ s: ConsoleState, _ screen: inout Screen, _ r: Region) {
        let t = table(cols: s.cols)
        let mark = s.sortDescending ? s.glyphs.arrowDown : s.glyphs.arrowUp
        t.header(&screen, row: r.top, marked: sortTitle(s.serviceSort), mark: mark)
        let rows = s.visibleServices
        let empty = s.emptyText(
            "services",
            "no services in the last " + DurationText.format(micros: s.windowMicros)
                + (s.filters[.services] != nil ? " matching the filter" : ""))
        let spark = t.width("RATE")
        screen.list(rows, cursor: s.cursor(.services), top: r.top + 1, height: r.height - 1, empty: empty) {
            screen, row, y in
            let hs = Roles.health(row.health)
            let errStyle =
                row.errorRate >= 0.1 ? Style(.error, bold: true) : (row.errorRate > 0.001 ? Style(.warning) : .normal)
            t.row(
                &screen, row: y,
                [
                    (marker(row.health, s.glyphs), hs),
                    (clean(row.service), .normal),
                    (Format.count(Double(row.requests)), .normal),
                    (Format.percent(row.errorRate), errStyle),
                    (Format.rate(row.rps), .normal),
                    (Format.ms(row.p50Ms), .normal),
                    (Format.ms(row.p99Ms), .normal),
                    (inFlight(row), .normal),
                    (row.apdex.map { Format.fixed($0, 2) } ?? "-", .normal),
                    (row.health.rawValue, hs),
                    (s.glyphs.sparkline(row.rateSeries, width: spark), Style(.sparkline)),
                    (s.glyphs.sparkline(row.p99Series, width: spark), Style(.sparkline)),
                ])
        }
    }

    /// In flight over the window as `p99/max` (time-weighted p99, most at once); `-` without data.
    static func inFlight(_ row: ServiceRow) -> String {
        guard let p99 = row.inflightP99, let max = row.inflightMax else { return "-" }
        return String(p99) + "/" + String(max)
    }

    /// A one-column health sign that is readable without colour.
    static func marker(_ h: HealthState, _ g: Glyphs) -> String {
        switch h {
        case .healthy: return g.health[0]
        case .degraded: return g.health[1]
        case .failing: return g.health[2]
        case .idle: return g.health[3]
        }
    }
}
