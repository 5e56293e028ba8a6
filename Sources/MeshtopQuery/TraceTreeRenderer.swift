import MeshtopModel

/// `query trace --format tree`: an indented waterfall. Each line shows the span (service and operation,
/// indented by depth), a bar placed on the trace's time axis scaled to the terminal width, and its duration.
/// Spans on the critical path are marked `*` in the first column; error spans end with `ERROR`. A span's links
/// follow it, one line each (`-> link span ID of this trace`, or `-> link trace ID span ID`).
public enum TraceTreeRenderer {
    public static func render(_ detail: TraceDetail, width: Int = 100) -> String {
        let spans = detail.spans
        guard let traceStart = spans.map(\.startMicros).min(), let traceEnd = spans.map(\.endMicros).max() else {
            return "trace \(detail.traceID.hex): no spans\n"
        }
        let total = max(traceEnd - traceStart, 1)
        let ordered = order(spans)
        let critical = criticalPath(spans)
        let services = Set(spans.map(\.service)).count
        let errors = spans.filter(\.isError).count
        var out =
            "trace \(detail.traceID.hex)  \(spans.count) spans  \(services) services  "
            + DurationText.format(micros: total) + (errors > 0 ? "  \(errors) errors" : "") + "\n"
        let labels = ordered.map {
            String(repeating: "  ", count: $0.depth) + Sanitizer.escape($0.span.service)
                + " " + Sanitizer.escape($0.span.name)
        }
        let durations = ordered.map { DurationText.format(micros: $0.span.durationMicros) }
        let durationWidth = durations.map(\.count).max() ?? 0
        let usable = max(width, 40) - 2 - durationWidth - 2 - 2 - 6
        let labelWidth = min(labels.map(\.count).max() ?? 0, max(usable * 2 / 5, 12))
        let barWidth = max(usable - labelWidth, 10)
        for (i, item) in ordered.enumerated() {
            let s = item.span
            let from = Int((s.startMicros - traceStart) * Int64(barWidth) / total)
            let length = max(Int(s.durationMicros * Int64(barWidth) / total), 1)
            let start = min(from, barWidth - 1)
            let filled = min(length, barWidth - start)
            let bar =
                String(repeating: " ", count: start) + String(repeating: s.isError ? "!" : "=", count: filled)
                + String(repeating: " ", count: barWidth - start - filled)
            let d = durations[i]
            var line =
                (critical.contains(s.spanID) ? "* " : "  ") + fit(labels[i], labelWidth) + " |" + bar + "| "
                + String(repeating: " ", count: durationWidth - d.count) + d
            if s.isError { line += " ERROR" }
            out += line + "\n"
            for link in s.links {
                out += "  " + String(repeating: "  ", count: item.depth + 1) + linkText(link, of: detail.traceID) + "\n"
            }
        }
        return out
    }

    /// `-> link span 00f067aa0ba902b7 of this trace` or `-> link trace 4bf9… span 00f0…`, with the link's
    /// attributes as `key=value` (escaped).
    static func linkText(_ link: SpanLink, of trace: TraceID) -> String {
        var text =
            link.traceID == trace
            ? "-> link span \(link.spanID.hex) of this trace"
            : "-> link trace \(link.traceID.hex) span \(link.spanID.hex)"
        for a in link.attributes { text += " " + Sanitizer.escape(a.key) + "=" + Sanitizer.escape(a.value.text) }
        return text
    }

    static func fit(_ s: String, _ width: Int) -> String {
        if s.count <= width { return s + String(repeating: " ", count: width - s.count) }
        return String(s.prefix(width - 1)) + "…"
    }

    /// Depth-first order: each span followed by its children by start time; orphans (parent not in the trace)
    /// are roots.
    static func order(_ spans: [Span]) -> [(span: Span, depth: Int)] {
        let ids = Set(spans.map(\.spanID))
        let children = childrenByParent(spans)
        var out: [(span: Span, depth: Int)] = []
        var visited = Set<SpanID>()
        func visit(_ s: Span, _ depth: Int) {
            guard visited.insert(s.spanID).inserted else { return }
            out.append((s, depth))
            for c in children[s.spanID] ?? [] { visit(c, depth + 1) }
        }
        for s in spans.sorted(by: byStart) where s.parentID.map({ !ids.contains($0) }) ?? true { visit(s, 0) }
        for s in spans.sorted(by: byStart) where !visited.contains(s.spanID) { visit(s, 0) }
        return out
    }

    /// The critical path (as Jaeger computes it): from each root, walk back from its end through the child that
    /// finished last before the current point, then through the children that end before that child started.
    public static func criticalPath(_ spans: [Span]) -> Set<SpanID> {
        let ids = Set(spans.map(\.spanID))
        let children = childrenByParent(spans)
        var path = Set<SpanID>()
        func walk(_ s: Span, bound: Int64) {
            guard path.insert(s.spanID).inserted else { return }
            var t = min(s.endMicros, bound)
            for c in (children[s.spanID] ?? []).sorted(by: { $0.endMicros > $1.endMicros }) where c.startMicros < t {
                walk(c, bound: t)
                t = c.startMicros
            }
        }
        let roots = spans.filter { $0.parentID.map { !ids.contains($0) } ?? true }
        if let root = roots.max(by: { $0.endMicros < $1.endMicros }) { walk(root, bound: root.endMicros) }
        return path
    }

    static func childrenByParent(_ spans: [Span]) -> [SpanID: [Span]] {
        var children: [SpanID: [Span]] = [:]
        for s in spans {
            if let p = s.parentID, p != s.spanID { children[p, default: []].append(s) }
        }
        return children.mapValues { $0.sorted(by: byStart) }
    }

    static func byStart(_ a: Span, _ b: Span) -> Bool {
        (a.startMicros, a.spanID) < (b.startMicros, b.spanID)
    }
}
