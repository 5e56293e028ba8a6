import MeshtopModel

/// `query topology --format dot|mermaid`: the service graph for Graphviz or Mermaid. Names are sanitised and
/// quoted, so any service name gives a valid file.
public enum TopologyRenderer {
    /// A Graphviz digraph: nodes coloured by health, edges labelled with rate, error % and p99, and the
    /// breaker state when it is not closed (open breakers drawn red and dashed).
    public static func dot(_ t: Topology) -> String {
        var out = "digraph meshtop {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n"
        for n in t.nodes {
            out +=
                "  \(dotQuote(n.service)) [label=\(dotQuote(n.service, n.health.rawValue)), "
                + "color=\(dotQuote(color(n.health)))];\n"
        }
        for e in t.edges {
            var attrs = "label=\(dotQuote(edgeLabel(e)))"
            if e.breaker == .open { attrs += ", color=\"red\", style=\"dashed\"" }
            out += "  \(dotQuote(e.caller)) -> \(dotQuote(e.callee)) [\(attrs)];\n"
        }
        return out + "}\n"
    }

    /// A Mermaid flowchart; node ids are `n0`, `n1`… with the service names as quoted labels.
    public static func mermaid(_ t: Topology) -> String {
        var ids: [String: String] = [:]
        var out = "graph LR\n"
        func id(_ service: String) -> String {
            if let existing = ids[service] { return existing }
            let new = "n\(ids.count)"
            ids[service] = new
            return new
        }
        for n in t.nodes {
            out += "  \(id(n.service))[\"\(mermaidText(n.service))<br/>\(n.health.rawValue)\"]:::\(n.health.rawValue)\n"
        }
        for e in t.edges {
            out += "  \(id(e.caller)) -->|\"\(mermaidText(edgeLabel(e)))\"| \(id(e.callee))\n"
        }
        for h in HealthState.allCases { out += "  classDef \(h.rawValue) stroke:\(color(h))\n" }
        return out
    }

    static func edgeLabel(_ e: EdgeRow) -> String {
        var label =
            TableRenderer.fixed(e.rps, 2) + " rps, " + TableRenderer.fixed(e.errorRate * 100, 1) + "% err, p99 "
            + TableRenderer.fixed(e.p99Ms, 1) + "ms"
        if let b = e.breaker, b != .closed { label += ", breaker " + b.rawValue }
        return label
    }

    static func color(_ h: HealthState) -> String {
        switch h {
        case .healthy: return "green"
        case .degraded: return "orange"
        case .failing: return "red"
        case .idle: return "gray"
        }
    }

    /// A DOT double-quoted string: sanitised, then `"` and `\` escaped. Several parts are joined with DOT's
    /// `\n` line break.
    static func dotQuote(_ parts: String...) -> String {
        "\""
            + parts.map {
                Sanitizer.escape($0).replacingOccurrences(of: "\\", with: "\\\\")
                    .replacingOccurrences(of: "\"", with: "\\\"")
            }.joined(separator: "\\n") + "\""
    }

    /// Mermaid label text: sanitised, with characters that end a label written as entity codes.
    static func mermaidText(_ s: String) -> String {
        var out = ""
        for c in Sanitizer.escape(s) {
            switch c {
            case "\"": out += "#quot;"
            case "<": out += "#lt;"
            case ">": out += "#gt;"
            case "|": out += "#124;"
            default: out.append(c)
            }
        }
        return out
    }
}
