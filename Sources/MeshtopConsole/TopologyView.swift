import MeshtopModel
import MeshtopQuery

/// Topology: the layered service graph in box characters, or an edge list when it does not fit (or on `l`).
enum TopologyView {
    static func draw(_ s: ConsoleState, _ screen: inout Screen, _ r: Region) {
        let edges = s.visibleEdges
        let nodes = s.topology?.nodes ?? []
        guard !nodes.isEmpty || !edges.isEmpty else {
            screen.put("0 services, 0 edges, " + (s.topologyList ? "list" : "graph"), row: r.top, col: 1, style: .title)
            screen.put(
                s.emptyText("topology", "no calls between services in the window"), row: r.top + 2, col: 2,
                style: .dim)
            return
        }
        let health = Dictionary(nodes.map { ($0.service, $0.health) }, uniquingKeysWith: { a, _ in a })
        let selected = s.cursor(.topology).selected
        var graph: Screen?
        if !s.topologyList, let g = s.topologyGraph, g.width <= s.cols { graph = g.render(selected: selected) }
        let mode = graph == nil ? (s.topologyList ? "list" : "list (graph too wide)") : "graph"
        screen.put(
            "\(health.count) services, \(edges.count) edges, \(mode)",
            row: r.top, col: 1, style: .title, maxWidth: s.cols - 2)
        if let g = graph {
            blit(g, into: &screen, r: r, focusRow: TopologyCanvas.focusRow(g, selected: selected))
            info(s, edges, selected, &screen, row: r.bottom - 1)
        } else {
            list(s, edges, health, &screen, r)
        }
    }

    /// Copies the graph into the body, scrolled so the selected edge is visible.
    static func blit(_ g: Screen, into screen: inout Screen, r: Region, focusRow: Int) {
        let height = r.height - 2
        let top = max(0, min(focusRow - height / 2, g.rows - height))
        for y in 0..<min(height, g.rows - top) {
            for x in 0..<g.cols {
                let cell = g[top + y, x]
                if cell.width == 0 { continue }
                screen.put(String(cell.character), row: r.top + 1 + y, col: x, style: cell.style)
            }
        }
    }

    static func info(_ s: ConsoleState, _ edges: [EdgeRow], _ i: Int, _ screen: inout Screen, row: Int) {
        guard edges.indices.contains(i) else { return }
        let e = edges[i]
        var x = 1
        x += screen.put(
            clean(e.caller) + " " + s.glyphs.arrowRight + " " + clean(e.callee) + "  ", row: row, col: x,
            style: Style(.title, bold: true))
        x += screen.put(
            Format.rate(e.rps) + "/s  err " + Format.percent(e.errorRate) + "  p50 " + Format.ms(e.p50Ms)
                + "  p99 " + Format.ms(e.p99Ms) + "  calls " + Format.count(Double(e.calls)) + "  ", row: row, col: x)
        if let b = e.breaker {
            screen.put("breaker " + Roles.breakerLabel(b), row: row, col: x, style: Roles.breaker(b))
        }
    }

    static func list(
        _ s: ConsoleState, _ edges: [EdgeRow], _ health: [String: HealthState], _ screen: inout Screen, _ r: Region
    ) {
        let t = Table(
            [
                TableColumn(title: "CALLER", width: 14, flexible: true),
                TableColumn(title: "", width: 1),
                TableColumn(title: "CALLEE", width: 16),
                TableColumn(title: "HEALTH", width: 8),
                TableColumn(title: "RPS", width: 6, right: true),
                TableColumn(title: "ERR%", width: 5, right: true),
                TableColumn(title: "P99", width: 6, right: true),
                TableColumn(title: "BREAKER", width: 9),
            ], cols: s.cols)
        t.header(&screen, row: r.top + 1)
        screen.list(edges, cursor: s.cursor(.topology), top: r.top + 2, height: r.height - 2, empty: "") {
            screen, e, y in
            let h = health[e.callee] ?? .idle
            t.row(
                &screen, row: y,
                [
                    (clean(e.caller), Roles.health(health[e.caller] ?? .idle)),
                    (s.glyphs.arrowRight, .dim),
                    (clean(e.callee), Roles.health(h)),
                    (h.rawValue, Roles.health(h)),
                    (Format.rate(e.rps), .normal),
                    (Format.percent(e.errorRate), TopologyCanvas.edgeStyle(e)),
                    (Format.ms(e.p99Ms), .normal),
                    (e.breaker.map(Roles.breakerLabel) ?? "-", e.breaker.map(Roles.breaker) ?? .dim),
                ])
        }
    }
}
