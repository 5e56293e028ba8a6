/// Text measured in screen columns, like `wcwidth(3)`: East Asian wide and emoji are 2, combining marks and
/// zero-width characters 0, everything else printable 1. Controls never reach here (the sanitiser escapes them).
public enum ColumnWidth {
    /// Columns of one scalar.
    public static func of(_ u: Unicode.Scalar) -> Int {
        let v = u.value
        if v < 0x300 { return v < 0x20 || (v >= 0x7f && v < 0xa0) ? 0 : 1 }
        if isZeroWidth(v) { return 0 }
        return isWide(v) ? 2 : 1
    }

    /// Columns of one grapheme: the width of its first scalar that is not zero-width, 2 when an emoji
    /// presentation selector (U+FE0F) follows a narrow base.
    public static func of(_ c: Character) -> Int {
        var width = 0
        var first = true
        for u in c.unicodeScalars {
            if first {
                width = of(u)
                first = false
            } else if u.value == 0xFE0F, width == 1 {
                width = 2
            }
        }
        return width
    }

    /// Columns of a string.
    public static func of(_ s: String) -> Int {
        var n = 0
        for u in s.utf8 where u >= 0x80 {
            n = -1
            break
        }
        if n == 0 { return s.utf8.count }
        n = 0
        for c in s { n += of(c) }
        return n
    }

    static func isZeroWidth(_ v: UInt32) -> Bool {
        switch v {
        case 0x0300...0x036F, 0x0483...0x0489, 0x0591...0x05BD, 0x0610...0x061A, 0x064B...0x065F,
            0x0670, 0x06D6...0x06DC, 0x0E31, 0x0E34...0x0E3A, 0x0E47...0x0E4E, 0x1AB0...0x1AFF,
            0x1DC0...0x1DFF, 0x200B...0x200F, 0x20D0...0x20FF, 0x2060...0x2064, 0x302A...0x302D,
            0x3099...0x309A, 0xFE00...0xFE0F, 0xFE20...0xFE2F, 0xFEFF, 0x1F3FB...0x1F3FF, 0xE0000...0xE0FFF:
            return true
        default:
            return false
        }
    }

    static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0, 0x23F3,
            0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F, 0x2693, 0x26A1, 0x26AA...0x26AB,
            0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE, 0x26D4, 0x26EA, 0x26F2...0x26F3, 0x26F5, 0x26FA, 0x26FD,
            0x2705, 0x270A...0x270B, 0x2728, 0x274C, 0x274E, 0x2753...0x2755, 0x2757, 0x2795...0x2797, 0x27B0,
            0x27BF, 0x2B1B...0x2B1C, 0x2B50, 0x2B55, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF,
            0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF,
            0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x18AFF,
            0x1B000...0x1B2FF, 0x1F004, 0x1F0CF, 0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F251,
            0x1F300...0x1F64F, 0x1F680...0x1F6FF, 0x1F7E0...0x1F7EB, 0x1F90C...0x1F9FF, 0x1FA70...0x1FAFF,
            0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}

extension String {
    /// Width in screen columns.
    public var columns: Int { ColumnWidth.of(self) }

    /// Cut to at most `width` columns, ending with `…` when cut (a wide character never straddles the edge).
    public func truncated(to width: Int, ellipsis: String = "…") -> String {
        if width <= 0 { return "" }
        if columns <= width { return self }
        let target = width - ellipsis.columns
        var out = ""
        var used = 0
        for c in self {
            let w = ColumnWidth.of(c)
            if used + w > target { break }
            out.append(c)
            used += w
        }
        return target >= 0 ? out + ellipsis : out
    }

    /// Truncated and padded with spaces to exactly `width` columns; `right` aligns to the right.
    public func fitted(to width: Int, right: Bool = false) -> String {
        let t = truncated(to: width)
        let pad = String(repeating: " ", count: max(0, width - t.columns))
        return right ? pad + t : t + pad
    }
}
