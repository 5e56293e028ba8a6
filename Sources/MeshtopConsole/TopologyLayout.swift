/// A layered (Sugiyama-style) layout of the service graph: cycles broken, longest-path layering, dummy nodes on
/// long edges, and barycentre ordering sweeps to reduce crossings. Pure, so it is tested on its own.
struct TopologyLayout: Hashable {
    /// A laid-out node; dummies carry long edges through intermediate layers.
    struct Node: Hashable {
        var name: String
        var layer: Int
        var order: Int
        var dummy: Bool
    }

    /// A segment between adjacent layers; `edge` indexes the input edges.
    struct Segment: Hashable {
        var from: Int
        var to: Int
        var edge: Int
        /// True on the first segment of an edge (where its label goes).
        var first: Bool
    }

    var nodes: [Node]
    var segments: [Segment]
    /// Node indices per layer, in order.
    var layers: [[Int]]
    /// What the layout was computed from, so an unchanged graph is not laid out again.
    let inputNames: [String]
    let inputEdges: [[String]]

    init(names: [String], edges: [(String, String)]) {
        inputNames = names
        inputEdges = edges.map { [$0.0, $0.1] }
        let all = Array(Set(names + edges.flatMap { [$0.0, $0.1] })).sorted()
        let index = Dictionary(uniqueKeysWithValues: all.enumerated().map { ($1, $0) })
        var out: [[Int]] = Array(repeating: [], count: all.count)
        var pairs: [(Int, Int, Int)] = []
        for (k, e) in edges.enumerated() {
            guard let a = index[e.0], let b = index[e.1], a != b else { continue }
            pairs.append((a, b, k))
            out[a].append(b)
        }
        // Break cycles: edges that close a cycle in a DFS (back edges) are laid out reversed.
        var colour = Array(repeating: 0, count: all.count)
        var back = Set<[Int]>()
        func dfs(_ v: Int) {
            colour[v] = 1
            for w in out[v] {
                if colour[w] == 1 { back.insert([v, w]) } else if colour[w] == 0 { dfs(w) }
            }
            colour[v] = 2
        }
        for v in all.indices where colour[v] == 0 { dfs(v) }
        let dag = pairs.map { back.contains([$0.0, $0.1]) ? ($0.1, $0.0, $0.2) : $0 }
        // Longest-path layering: a node sits one layer right of its furthest caller.
        var layer = Array(repeating: 0, count: all.count)
        var changed = true
        var rounds = 0
        while changed && rounds <= all.count {
            changed = false
            rounds += 1
            for (a, b, _) in dag where layer[b] < layer[a] + 1 {
                layer[b] = layer[a] + 1
                changed = true
            }
        }
        nodes = all.enumerated().map { Node(name: $1, layer: layer[$0], order: 0, dummy: false) }
        segments = []
        for (a, b, k) in dag {
            var prev = a
            var l = layer[a] + 1
            while l < layer[b] {
                nodes.append(Node(name: "", layer: l, order: 0, dummy: true))
                segments.append(Segment(from: prev, to: nodes.count - 1, edge: k, first: prev == a))
                prev = nodes.count - 1
                l += 1
            }
            segments.append(Segment(from: prev, to: b, edge: k, first: prev == a))
        }
        let depth = (nodes.map(\.layer).max() ?? -1) + 1
        layers = Array(repeating: [], count: depth)
        for (i, n) in nodes.enumerated() { layers[n.layer].append(i) }
        orderLayers()
    }

    /// Barycentre sweeps, down then up, keeping the best ordering seen.
    private mutating func orderLayers() {
        var preds = Array(repeating: [Int](), count: nodes.count)
        var succs = Array(repeating: [Int](), count: nodes.count)
        for seg in segments {
            succs[seg.from].append(seg.to)
            preds[seg.to].append(seg.from)
        }
        var pos = Array(repeating: 0.0, count: nodes.count)
        func index() {
            for l in layers { for (i, n) in l.enumerated() { pos[n] = Double(i) } }
        }
        var best = layers
        var bestCrossings = crossings()
        for sweep in 0..<8 where bestCrossings > 0 {
            let down = sweep % 2 == 0
            let range = down ? Array(layers.indices.dropFirst()) : Array(layers.indices.dropLast().reversed())
            for l in range {
                index()
                let bary = layers[l].map { n -> (Int, Double) in
                    let neighbours = down ? preds[n] : succs[n]
                    guard !neighbours.isEmpty else { return (n, pos[n]) }
                    return (n, neighbours.reduce(0) { $0 + pos[$1] } / Double(neighbours.count))
                }
                layers[l] = bary.sorted { ($0.1, nodes[$0.0].name) < ($1.1, nodes[$1.0].name) }.map(\.0)
            }
            let c = crossings()
            if c < bestCrossings {
                best = layers
                bestCrossings = c
            }
        }
        layers = best
        for l in layers { for (i, n) in l.enumerated() { nodes[n].order = i } }
    }

    /// Number of crossing segment pairs between adjacent layers.
    func crossings() -> Int {
        var pos = Array(repeating: 0, count: nodes.count)
        for l in layers { for (i, n) in l.enumerated() { pos[n] = i } }
        var gaps = Array(repeating: [(Int, Int)](), count: layers.count)
        for seg in segments { gaps[nodes[seg.from].layer].append((pos[seg.from], pos[seg.to])) }
        var count = 0
        for g in gaps where g.count > 1 {
            for i in 0..<(g.count - 1) {
                let a = g[i]
                for b in g[(i + 1)...] where (a.0 - b.0) * (a.1 - b.1) < 0 { count += 1 }
            }
        }
        return count
    }
}
