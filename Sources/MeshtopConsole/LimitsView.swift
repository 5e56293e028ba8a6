import MeshtopModel
import MeshtopQuery

/// Limits: each flow rule's decisions per resource over the window (`query limits`): passed, blocked, queued.
enum LimitsView {
    static func draw(_ s: ConsoleState, _ screen: inout Screen, _ r: Region) {
        let t = Table(
            [
                TableColumn(title: "RULE", width: 14, flexible: true),
                TableColumn(title: "RESOURCE", width: 22),
                TableColumn(title: "PASSED", width: 7, right: true),
                TableColumn(title: "BLOCKED", width: 7, right: true),
                TableColumn(title: "QUEUED", width: 7, right: true),
                TableColumn(title: "BLOCK%", width: 6, right: true),
            ], cols: s.cols)
        t.header(&screen, row: r.top)
        let empty = s.emptyText(
            "limits",
            "no flow rule decisions in the last " + DurationText.format(micros: s.windowMicros)
                + " (limits: in the collector's rules file)")
        screen.list(
            s.visibleLimits, cursor: s.cursor(.limits), top: r.top + 1, height: r.height - 1, empty: empty
        ) { screen, l, y in
            let rate = l.blockedRate
            let style = rate >= 0.1 ? Style(.error, bold: true) : (rate > 0 ? Style(.warning) : .normal)
            t.row(
                &screen, row: y,
                [
                    (clean(l.rule), .normal),
                    (resource(l, arrow: s.glyphs.arrowRight), .normal),
                    (Format.count(Double(l.passed)), .normal),
                    (Format.count(Double(l.blocked)), l.blocked > 0 ? style : .normal),
                    (Format.count(Double(l.queued)), l.queued > 0 ? Style(.warning) : .normal),
                    (Format.percent(rate), style),
                ])
        }
    }

    /// The service of a `match` rule, or `caller → callee` of an edge rule.
    static func resource(_ l: LimitStat, arrow: String = "→") -> String {
        l.service.isEmpty ? clean(l.caller) + " " + arrow + " " + clean(l.callee) : clean(l.service)
    }
}
