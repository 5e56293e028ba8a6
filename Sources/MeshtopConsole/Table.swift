/// A column of a table view: a title, a width in columns, alignment, and the narrowest terminal showing it.
struct TableColumn {
    var title: String
    var width: Int
    var right = false
    /// Takes the width left over by the fixed columns (at least `width`).
    var flexible = false
    var minTerminalCols = 0
}

/// Lays out columns across the screen and draws header and rows.
struct Table {
    var columns: [TableColumn]
    var starts: [Int]
    /// For each shown column, its index in the list given to `init`.
    var source: [Int]

    init(_ all: [TableColumn], cols: Int) {
        source = all.indices.filter { cols >= all[$0].minTerminalCols }
        let shown = source.map { all[$0] }
        let fixed = shown.reduce(0) { $0 + ($1.flexible ? 0 : $1.width) } + max(shown.count - 1, 0)
        var cs = shown
        if let f = cs.firstIndex(where: { $0.flexible }) { cs[f].width = max(cs[f].width, cols - 1 - fixed) }
        columns = cs
        var x = 1
        starts = []
        for c in cs {
            starts.append(x)
            x += c.width + 1
        }
    }

    func index(of title: String) -> Int? { columns.firstIndex { $0.title == title } }

    func header(_ screen: inout Screen, row: Int, marked: String? = nil, mark: String = "") {
        screen.fill(row: row, col: 0, width: screen.cols, style: .columnHeader)
        for (i, c) in columns.enumerated() {
            let t = c.title == marked ? c.title + mark : c.title
            screen.put(t.fitted(to: c.width, right: c.right), row: row, col: starts[i], style: .columnHeader)
        }
    }

    /// Draws one row; `values[i]` is the text (already escaped) and style of column i of the list given to
    /// `init` (hidden columns are skipped).
    func row(_ screen: inout Screen, row: Int, _ values: [(String, Style)]) {
        for (i, c) in columns.enumerated() where source[i] < values.count {
            let v = values[source[i]]
            screen.put(v.0.fitted(to: c.width, right: c.right), row: row, col: starts[i], style: v.1)
        }
    }

    func width(_ title: String) -> Int { index(of: title).map { columns[$0].width } ?? 0 }
}

extension Screen {
    /// Highlights a selected row: reverse video keeps the row readable without colour.
    mutating func select(row: Int) {
        restyle(row: row) { $0.selected }
    }
}

extension Screen {
    /// Draws the visible slice of a scrolling list from `top`: `draw(item, row)` per item, the selected row in
    /// reverse video, or `empty` when there are no items.
    mutating func list<T>(
        _ items: [T], cursor: Cursor, top: Int, height: Int, empty: String, _ draw: (inout Screen, T, Int) -> Void
    ) {
        if items.isEmpty {
            put(empty, row: top + 1, col: 2, style: .dim)
            return
        }
        for (i, item) in items.enumerated().dropFirst(cursor.top).prefix(max(height, 0)) {
            let y = top + i - cursor.top
            draw(&self, item, y)
            if i == cursor.selected { select(row: y) }
        }
    }
}

extension ConsoleState {
    /// "loading…" until the first answer of `kind`, then `message`.
    func emptyText(_ kind: String, _ message: String) -> String { loaded.contains(kind) ? message : "loading…" }
}
