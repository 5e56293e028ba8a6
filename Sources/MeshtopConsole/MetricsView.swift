import MeshtopModel
import MeshtopQuery

/// Metrics: StatsD counters, gauges, timers and sets over the window, with sparklines.
enum MetricsView {
    static func draw(_ s: ConsoleState, _ screen: inout Screen, _ r: Region) {
        let spark = max(10, min(40, (s.cols - 80) / 2 + 12))
        let t = Table(
            [
                TableColumn(title: "NAME", width: 16, flexible: true),
                TableColumn(title: "TYPE", width: 7),
                TableColumn(title: "TAGS", width: 16, minTerminalCols: 100),
                TableColumn(title: "VALUE", width: 9, right: true),
                TableColumn(title: "DETAIL", width: 22),
                TableColumn(title: "SERIES", width: spark),
            ], cols: s.cols)
        t.header(&screen, row: r.top)
        let rows = s.visibleMetrics
        let empty = s.emptyText("metrics", "no metrics in the window")
        screen.list(rows, cursor: s.cursor(.metrics), top: r.top + 1, height: r.height - 1, empty: empty) {
            screen, m, y in
            let (value, detail) = summary(m)
            t.row(
                &screen, row: y,
                [
                    (clean(m.name), .normal),
                    (m.type.rawValue, .dim),
                    (clean(m.tags.joined(separator: ",")), .dim),
                    (value, Style(.normal, bold: true)),
                    (detail, .normal),
                    (s.glyphs.sparkline(m.series, width: t.width("SERIES")), Style(.sparkline)),
                ])
        }
    }

    /// The headline value and a detail string per metric type.
    static func summary(_ m: MetricRow) -> (String, String) {
        func n(_ v: Double?) -> String { v.map { Format.count($0) } ?? "-" }
        switch m.type {
        case .counter:
            return (n(m.count), "rate " + (m.rate.map { Format.rate($0) } ?? "-") + "/s")
        case .gauge:
            return (n(m.last), "min " + n(m.min) + " max " + n(m.max))
        case .timer, .histogram, .distribution:
            return (
                m.p99.map { Format.ms($0) } ?? "-",
                "p50 " + (m.p50.map { Format.ms($0) } ?? "-") + " n=" + n(m.count)
            )
        case .set:
            return (m.unique.map(String.init) ?? "-", "unique")
        }
    }
}
