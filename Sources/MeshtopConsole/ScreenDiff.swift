/// What changed between two frames, as runs of cells to redraw (htop/ncurses draw only what changed; doing the
/// comparison here keeps it testable and lets the benchmark time it without a terminal).
public enum ScreenDiff {
    /// Consecutive changed cells on one row.
    public struct Run: Sendable, Hashable {
        public var row: Int
        public var col: Int
        public var count: Int

        public init(row: Int, col: Int, count: Int) {
            self.row = row
            self.col = col
            self.count = count
        }
    }

    /// Runs that turn `old` into `new`; every row in full when there is no old frame or the size changed.
    /// A run never starts on the right half of a wide character.
    public static func runs(from old: Screen?, to new: Screen) -> [Run] {
        guard let old, old.rows == new.rows, old.cols == new.cols else {
            return (0..<new.rows).map { Run(row: $0, col: 0, count: new.cols) }
        }
        var out: [Run] = []
        let cols = new.cols
        new.cells.withUnsafeBufferPointer { n in
            old.cells.withUnsafeBufferPointer { o in
                for r in 0..<new.rows {
                    let base = r * cols
                    var c = 0
                    while c < cols {
                        if n[base + c] == o[base + c] {
                            c += 1
                            continue
                        }
                        var start = c
                        if n[base + start].width == 0, start > 0 { start -= 1 }
                        var end = c + 1
                        while end < cols, n[base + end] != o[base + end] || n[base + end].width == 0 { end += 1 }
                        out.append(Run(row: r, col: start, count: end - start))
                        c = end
                    }
                }
            }
        }
        return out
    }
}
