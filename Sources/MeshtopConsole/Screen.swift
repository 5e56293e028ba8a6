/// One screen cell. A wide character occupies its cell (width 2) and the next one, which holds a continuation
/// cell (width 0, empty character) so that every row has exactly `cols` cells.
public struct Cell: Sendable, Hashable {
    public var character: Character
    /// 1, 2 for a wide character, 0 for the right half of a wide character.
    public var width: UInt8
    public var style: Style

    public init(_ character: Character, width: UInt8 = 1, style: Style = .normal) {
        self.character = character
        self.width = width
        self.style = style
    }

    public static let blank = Cell(" ")
    static let continuation = Cell(" ", width: 0)
}

/// A terminal-sized grid of styled cells: what a view produces and the terminal layer draws.
public struct Screen: Sendable, Hashable {
    public let rows: Int
    public let cols: Int
    public private(set) var cells: [Cell]

    public init(rows: Int, cols: Int) {
        self.rows = max(rows, 0)
        self.cols = max(cols, 0)
        cells = Array(repeating: .blank, count: self.rows * self.cols)
    }

    public subscript(row: Int, col: Int) -> Cell {
        cells[row * cols + col]
    }

    /// Writes `text` at (row, col), clipped to `maxWidth` columns and the screen edge; returns the columns used.
    /// Callers pass text from ingested data through `Sanitizer.escape` first (the `Text` helpers do).
    @discardableResult
    public mutating func put(
        _ text: String, row: Int, col: Int, style: Style = .normal, maxWidth: Int? = nil
    )
        -> Int
    {
        guard row >= 0, row < rows, col < cols else { return 0 }
        let limit = min(cols, col + (maxWidth ?? cols))
        var c = max(col, 0)
        for ch in text {
            let w = ColumnWidth.of(ch)
            if w == 0 {
                // A lone zero-width grapheme (the sanitiser removed controls): attach nothing, skip.
                continue
            }
            if c + w > limit { break }
            set(row, c, Cell(ch, width: UInt8(w), style: style))
            if w == 2 { set(row, c + 1, Cell(" ", width: 0, style: style)) }
            c += w
        }
        return c - max(col, 0)
    }

    /// Fills `width` columns from (row, col) with `character` in `style`.
    public mutating func fill(row: Int, col: Int, width: Int, style: Style = .normal, character: Character = " ") {
        guard row >= 0, row < rows else { return }
        let end = min(cols, col + width)
        var c = max(col, 0)
        while c < end {
            set(row, c, Cell(character, width: 1, style: style))
            c += 1
        }
    }

    /// Changes the style of existing cells (e.g. to highlight a selected row) without touching their text.
    public mutating func restyle(row: Int, col: Int = 0, width: Int? = nil, _ transform: (Style) -> Style) {
        guard row >= 0, row < rows else { return }
        let end = min(cols, col + (width ?? cols))
        for c in max(col, 0)..<max(end, max(col, 0)) {
            cells[row * cols + c].style = transform(cells[row * cols + c].style)
        }
    }

    private mutating func set(_ row: Int, _ col: Int, _ cell: Cell) {
        let i = row * cols + col
        // Overwriting half of a wide character blanks the other half, as terminals do.
        let old = cells[i]
        if old.width == 2, col + 1 < cols, cell.width != 2 { cells[i + 1] = .blank }
        if old.width == 0, col > 0, cells[i - 1].width == 2 { cells[i - 1] = .blank }
        cells[i] = cell
    }

    /// One row as text (continuation cells skipped), trailing spaces kept.
    public func line(_ row: Int) -> String {
        var s = ""
        for c in 0..<cols {
            let cell = cells[row * cols + c]
            if cell.width != 0 { s.append(cell.character) }
        }
        return s
    }

    /// All rows as text with trailing spaces removed, joined by newlines: the snapshot form.
    public var text: String {
        (0..<rows).map { r in
            var l = line(r)
            while l.last == " " { l.removeLast() }
            return l
        }.joined(separator: "\n")
    }
}
