import MeshtopModel

/// One row of the trace waterfall: a span, its depth in the tree, and whether it is the last child (for the
/// tree drawing) and on the critical path.
public struct WaterfallRow: Sendable, Hashable {
    public var span: Span
    public var depth: Int
    /// For each ancestor level, whether a later sibling follows (draws `│`), then this row's own branch.
    public var continues: [Bool]
    public var isLast: Bool
    public var critical: Bool

    /// Spans in depth-first order, children by start time; spans whose parent is missing become roots.
    public static func tree(_ spans: [Span]) -> [WaterfallRow] {
        let ids = Set(spans.map(\.spanID))
        var children: [SpanID: [Int]] = [:]
        var roots: [Int] = []
        for (i, s) in spans.enumerated() {
            if let p = s.parentID, ids.contains(p), p != s.spanID {
                children[p, default: []].append(i)
            } else {
                roots.append(i)
            }
        }
        func byStart(_ a: Int, _ b: Int) -> Bool {
            (spans[a].startMicros, spans[a].spanID) < (spans[b].startMicros, spans[b].spanID)
        }
        let critical = criticalPath(spans, children: children, roots: roots)
        var out: [WaterfallRow] = []
        var visited = Set<SpanID>()
        func walk(_ i: Int, depth: Int, continues: [Bool], last: Bool) {
            let s = spans[i]
            guard visited.insert(s.spanID).inserted else { return }
            out.append(
                WaterfallRow(
                    span: s, depth: depth, continues: continues, isLast: last, critical: critical.contains(s.spanID)))
            let kids = (children[s.spanID] ?? []).sorted(by: byStart)
            for (k, c) in kids.enumerated() {
                walk(c, depth: depth + 1, continues: continues + [!last], last: k == kids.count - 1)
            }
        }
        let sortedRoots = roots.sorted(by: byStart)
        for (k, r) in sortedRoots.enumerated() { walk(r, depth: 0, continues: [], last: k == sortedRoots.count - 1) }
        return out
    }

    /// The critical path (Jaeger's definition): from the root, the child that finishes last before the parent's
    /// end is on the path; then, walking back in time, the last-finishing child that ends before the previous
    /// one started, recursively.
    static func criticalPath(_ spans: [Span], children: [SpanID: [Int]], roots: [Int]) -> Set<SpanID> {
        var out = Set<SpanID>()
        guard let root = roots.max(by: { spans[$0].durationMicros < spans[$1].durationMicros }) else { return out }
        func visit(_ i: Int, until: Int64, depth: Int) {
            let s = spans[i]
            guard depth < 1_000, out.insert(s.spanID).inserted else { return }
            var cursor = min(s.endMicros, until)
            let kids = (children[s.spanID] ?? []).sorted {
                (spans[$0].endMicros, spans[$0].spanID) > (spans[$1].endMicros, spans[$1].spanID)
            }
            for c in kids where spans[c].endMicros <= cursor || spans[c].startMicros < cursor {
                if spans[c].startMicros >= cursor { continue }
                visit(c, until: cursor, depth: depth + 1)
                cursor = spans[c].startMicros
                if cursor <= s.startMicros { break }
            }
        }
        visit(root, until: spans[root].endMicros, depth: 0)
        return out
    }
}
