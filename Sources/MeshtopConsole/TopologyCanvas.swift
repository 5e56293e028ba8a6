import MeshtopModel
import MeshtopQuery

/// Draws a `TopologyLayout` with box characters: nodes as boxes coloured by health, edges as orthogonal lines
/// through per-edge channels, labelled with rate, error % and breaker state where they leave their caller.
struct TopologyCanvas: Hashable {
    /// Where a segment leaves its source, enters its target, and the column of its vertical run.
    struct Port: Hashable {
        var out = 0
        var into = 0
        var channel = 0
    }

    let layout: TopologyLayout
    let edges: [EdgeRow]
    let health: [String: HealthState]
    let g: Glyphs
    var layerX: [Int] = []
    var layerWidth: [Int] = []
    var labelWidth: [Int] = []
    var nodeY: [Int] = []
    var nodeHeight: [Int] = []
    var width = 0
    var height = 0
    /// Port rows: segment index → (row out of its source, row into its target), and its channel column.
    var ports: [Int: Port] = [:]

    init(layout: TopologyLayout, edges: [EdgeRow], health: [String: HealthState], glyphs: Glyphs) {
        self.layout = layout
        self.edges = edges
        self.health = health
        self.g = glyphs
        place()
    }

    static func label(_ e: EdgeRow) -> String {
        var l = Format.rate(e.rps) + "/s " + Format.percent(e.errorRate)
        if let b = e.breaker, b != .closed { l += " " + (b == .open ? "OPEN" : b == .halfOpen ? "HALF" : "?") }
        return l
    }

    static func edgeStyle(_ e: EdgeRow) -> Style {
        if e.breaker == .open { return Style(.breakerOpen, bold: true) }
        if e.breaker == .halfOpen { return Style(.breakerHalfOpen, bold: true) }
        if e.errorRate >= 0.1 { return Style(.error, bold: true) }
        if e.errorRate > 0.001 { return Style(.warning) }
        return Style(.edge)
    }

    private mutating func place() {
        let n = layout.nodes
        let segs = layout.segments
        var insOf = Array(repeating: [Int](), count: n.count)
        var outsOf = Array(repeating: [Int](), count: n.count)
        var gaps = Array(repeating: [Int](), count: layout.layers.count)
        for (k, seg) in segs.enumerated() {
            insOf[seg.to].append(k)
            outsOf[seg.from].append(k)
            gaps[n[seg.from].layer].append(k)
        }
        nodeHeight = n.indices.map { i in n[i].dummy ? 1 : 2 + max(1, insOf[i].count, outsOf[i].count) }
        nodeY = Array(repeating: 0, count: n.count)
        for l in layout.layers {
            var y = 0
            for i in l {
                nodeY[i] = y
                y += nodeHeight[i] + 1
            }
            height = max(height, y)
        }
        var x = 0
        for (li, l) in layout.layers.enumerated() {
            let w = l.filter { !n[$0].dummy }.map { clean(n[$0].name).columns + 4 }.max() ?? 3
            layerX.append(x)
            layerWidth.append(w)
            let gap = gaps[li]
            let lw = gap.filter { segs[$0].first }.map { TopologyCanvas.label(edges[segs[$0].edge]).columns }.max() ?? 0
            labelWidth.append(lw)
            x += w + (gap.isEmpty ? 0 : lw + gap.count + 4)
            // Ports: sort the gap's segments by source row so that channels cross as little as possible.
            let sorted = gap.sorted { (nodeY[segs[$0].from], $0) < (nodeY[segs[$1].from], $1) }
            for (k, seg) in sorted.enumerated() { ports[seg] = Port(channel: layerX[li] + w + lw + 2 + k) }
        }
        width = x
        for i in n.indices {
            let outs = outsOf[i].sorted { nodeY[segs[$0].to] < nodeY[segs[$1].to] }
            let ins = insOf[i].sorted { nodeY[segs[$0].from] < nodeY[segs[$1].from] }
            let base = n[i].dummy ? nodeY[i] : nodeY[i] + 1
            for (k, s) in outs.enumerated() { ports[s]?.out = base + (n[i].dummy ? 0 : k) }
            for (k, s) in ins.enumerated() { ports[s]?.into = base + (n[i].dummy ? 0 : k) }
        }
    }

    /// The graph as a screen of its own size; the selected edge is drawn last, emphasised.
    func render(selected: Int) -> Screen {
        var c = Screen(rows: max(height, 1), cols: max(width, 1))
        let n = layout.nodes
        for (i, node) in n.enumerated() where node.dummy {
            let x = layerX[node.layer]
            line(&c, row: nodeY[i], from: x, to: x + layerWidth[node.layer] - 1, style: Style(.edge))
        }
        let order = layout.segments.indices.sorted {
            (layout.segments[$0].edge == selected ? 1 : 0, $0) < (layout.segments[$1].edge == selected ? 1 : 0, $1)
        }
        for si in order { segment(&c, si, selected: layout.segments[si].edge == selected) }
        for (i, node) in n.enumerated() where !node.dummy { box(&c, i) }
        return c
    }

    private func segment(_ c: inout Screen, _ si: Int, selected: Bool) {
        let s = layout.segments[si]
        guard let p = ports[si] else { return }
        let e = edges[s.edge]
        var style = TopologyCanvas.edgeStyle(e)
        if selected { style = Style(style.role, bold: true, reverse: true) }
        let fromNode = layout.nodes[s.from]
        let toNode = layout.nodes[s.to]
        let x0 =
            fromNode.dummy
            ? layerX[fromNode.layer] + layerWidth[fromNode.layer]
            : layerX[fromNode.layer] + clean(fromNode.name).columns + 4
        let x1 = layerX[toNode.layer] - 1
        let cx = p.channel
        line(&c, row: p.out, from: x0, to: cx - 1, style: style)
        if p.out == p.into {
            line(&c, row: p.out, from: cx, to: x1, style: style)
        } else {
            let down = p.into > p.out
            c.put(down ? g.topRight : g.bottomRight, row: p.out, col: cx, style: style)
            for y in (min(p.out, p.into) + 1)..<max(p.out, p.into) {
                let old = c[y, cx].character
                c.put(old == Character(g.horizontal) ? g.cross : g.vertical, row: y, col: cx, style: style)
            }
            c.put(down ? g.bottomLeft : g.topLeft, row: p.into, col: cx, style: style)
            line(&c, row: p.into, from: cx + 1, to: x1, style: style)
        }
        if !toNode.dummy { c.put(g.arrowRight, row: p.into, col: x1, style: style) }
        if s.first { c.put(TopologyCanvas.label(e), row: p.out, col: x0 + 1, style: style) }
    }

    private func line(_ c: inout Screen, row: Int, from: Int, to: Int, style: Style) {
        guard from <= to else { return }
        for x in from...to {
            let old = c[row, x].character
            c.put(old == Character(g.vertical) ? g.cross : g.horizontal, row: row, col: x, style: style)
        }
    }

    private func box(_ c: inout Screen, _ i: Int) {
        let node = layout.nodes[i]
        let name = clean(node.name)
        let h = health[node.name] ?? .idle
        let style = Roles.health(h)
        let x = layerX[node.layer]
        let w = name.columns + 4
        let y = nodeY[i]
        let bar = String(repeating: g.horizontal, count: w - 2)
        c.put(g.topLeft + bar + g.topRight, row: y, col: x, style: style)
        for k in 1..<(nodeHeight[i] - 1) {
            c.put(g.vertical, row: y + k, col: x, style: style)
            c.fill(row: y + k, col: x + 1, width: w - 2)
            c.put(g.vertical, row: y + k, col: x + w - 1, style: style)
        }
        c.put(ServicesView.marker(h, g) + " " + name, row: y + 1, col: x + 1, style: style.emphasised)
        c.put(g.bottomLeft + bar + g.bottomRight, row: y + nodeHeight[i] - 1, col: x, style: style)
    }

    /// The first row of the selected edge in a rendered graph (for scrolling).
    static func focusRow(_ g: Screen, selected: Int) -> Int {
        for y in 0..<g.rows {
            for x in 0..<g.cols where g[y, x].style.reverse { return y }
        }
        return 0
    }
}
