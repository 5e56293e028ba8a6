/// The characters used for boxes, bars and sparklines, with an ASCII fallback (`--ascii`).
public struct Glyphs: Sendable, Hashable {
    public var horizontal: String
    public var vertical: String
    public var topLeft: String
    public var topRight: String
    public var bottomLeft: String
    public var bottomRight: String
    public var teeDown: String
    public var teeRight: String
    public var arrowRight: String
    public var arrowDown: String
    public var ellipsis: String
    /// Sparkline levels, lowest first.
    public var spark: [String]
    public var barFull: String
    public var barEmpty: String
    /// Marks the critical path in the waterfall.
    public var critical: String
    public var errorMark: String
    public var treeBranch: String
    public var treeLast: String
    public var treePipe: String
    public var cross: String
    public var arrowUp: String
    /// Health markers: healthy, degraded, failing, idle (readable without colour).
    public var health: [String]

    public static let unicode = Glyphs(
        horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘",
        teeDown: "┬", teeRight: "├", arrowRight: "▶", arrowDown: "▼", ellipsis: "…",
        spark: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"], barFull: "█", barEmpty: "·", critical: "◆",
        errorMark: "✖", treeBranch: "├─", treeLast: "└─", treePipe: "│ ", cross: "┼", arrowUp: "▲",
        health: ["●", "◐", "✖", "○"])

    public static let ascii = Glyphs(
        horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
        teeDown: "+", teeRight: "+", arrowRight: ">", arrowDown: "v", ellipsis: "~",
        spark: ["_", ".", "-", "~", "=", "+", "*", "#"], barFull: "#", barEmpty: ".", critical: "*",
        errorMark: "!", treeBranch: "|-", treeLast: "`-", treePipe: "| ", cross: "+", arrowUp: "^",
        health: ["+", "~", "!", "."])

    /// A sparkline of `values` in exactly `width` columns (the most recent values when there are more).
    public func sparkline(_ values: [Double], width: Int) -> String {
        guard width > 0 else { return "" }
        // Values that are not finite (a division by zero upstream) draw as the lowest level.
        let tail = values.suffix(width).map { $0.isFinite ? $0 : 0 }
        guard !tail.isEmpty else { return String(repeating: " ", count: width) }
        let lo = tail.min() ?? 0
        let hi = tail.max() ?? 0
        var out = String(repeating: " ", count: width - tail.count)
        for v in tail {
            let level: Int
            if hi <= lo {
                level = hi > 0 ? spark.count / 2 : 0
            } else {
                level = Int(((v - lo) / (hi - lo) * Double(spark.count - 1)).rounded())
            }
            out += spark[min(max(level, 0), spark.count - 1)]
        }
        return out
    }
}
