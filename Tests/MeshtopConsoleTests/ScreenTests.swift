import MeshtopConsole
import MeshtopModel
import Testing

/// Column measuring, the cell grid, glyph fallbacks, diffs and the sanitiser at the screen boundary.
@Suite struct ScreenTests {
    @Test func measuresColumnsLikeWcwidth() {
        #expect("orders".columns == 6)
        #expect("注文".columns == 4)
        #expect("🚀".columns == 2)
        #expect("e\u{301}".columns == 1)
        #expect("a\u{200B}b".columns == 2)
        #expect("한국".columns == 4)
        #expect("❤\u{FE0F}".columns == 2)
    }

    @Test func truncatesWithoutSplittingWideCharacters() {
        #expect("注文注文".truncated(to: 5) == "注文…")
        #expect("注文注文".truncated(to: 8) == "注文注文")
        #expect("payments".truncated(to: 4) == "pay…")
        #expect("注文".fitted(to: 6) == "注文  ")
        #expect("12".fitted(to: 4, right: true) == "  12")
    }

    @Test func wideCharactersTakeTwoCells() {
        var s = Screen(rows: 1, cols: 6)
        let used = s.put("a注b", row: 0, col: 0)
        #expect(used == 4)
        #expect(s[0, 1].width == 2 && s[0, 2].width == 0)
        #expect(s.text == "a注b")
        // Overwriting the right half blanks the left half, as a terminal does.
        s.put("x", row: 0, col: 2)
        #expect(s.text == "a xb")
        // A wide character that would straddle the edge is not drawn.
        var t = Screen(rows: 1, cols: 3)
        t.put("ab注", row: 0, col: 0)
        #expect(t.text == "ab")
    }

    @Test func sparklinesScaleToTheirRange() {
        #expect(Glyphs.unicode.sparkline([0, 7], width: 4) == "  ▁█")
        #expect(
            Glyphs.ascii.sparkline([1, 2, 3, 4, 5, 6, 7, 8], width: 3) == "*##".replacingOccurrences(of: "*", with: "_")
                || Glyphs.ascii.sparkline([1, 2, 3, 4, 5, 6, 7, 8], width: 3) == "_=#")
        #expect(Glyphs.unicode.sparkline([3, 3], width: 2) == "▅▅")
        #expect(Glyphs.unicode.sparkline([], width: 2) == "  ")
    }

    @Test func diffFindsOnlyChangedRuns() {
        var a = Screen(rows: 3, cols: 10)
        a.put("hello", row: 1, col: 0)
        var b = a
        #expect(ScreenDiff.runs(from: a, to: b).isEmpty)
        b.put("J", row: 1, col: 0)
        b.put("!", row: 2, col: 9)
        #expect(
            ScreenDiff.runs(from: a, to: b) == [
                ScreenDiff.Run(row: 1, col: 0, count: 1), ScreenDiff.Run(row: 2, col: 9, count: 1),
            ])
        #expect(ScreenDiff.runs(from: nil, to: b).count == 3)
        #expect(ScreenDiff.runs(from: Screen(rows: 2, cols: 10), to: b).count == 3)
        var c = a
        c.put("注", row: 0, col: 4)
        #expect(ScreenDiff.runs(from: a, to: c) == [ScreenDiff.Run(row: 0, col: 4, count: 2)])
    }

    @Test func escapeSequencesFromDataAreShownAsText() {
        var h = Harness()
        h.keys(.char("4"))
        let screen = h.screen
        #expect(h.text.contains(#"evil \x1b[2J payload"#))
        for cell in screen.cells {
            for u in cell.character.unicodeScalars {
                #expect(u.value >= 0x20 && u.value != 0x7f && !(0x80..<0xa0).contains(u.value))
            }
        }
    }

    @Test func selectionAndHealthKeepMeaningWithoutColour() {
        let h = Harness()
        let s = h.screen
        // The selected row is reverse video; the failing service's health is bold.
        #expect(s[3, 3].style.reverse)
        let failing = (0..<s.rows).first { s.line($0).contains("failing") } ?? 0
        let col = s.line(failing).firstIndex(of: "✖").map {
            s.line(failing).distance(from: s.line(failing).startIndex, to: $0)
        }
        #expect(col.map { s[failing, $0].style.bold } == true)
        #expect(s[failing, col ?? 0].style.role == .healthFailing)
    }
}

/// Numbers that are not finite (a division by zero upstream) render as text, never trap.
@Suite struct NonFiniteTests {
    @Test func nonFiniteNumbersRenderAsDashes() {
        #expect(Format.count(.infinity) == "-")
        #expect(Format.percent(.nan) == "-")
        #expect(Format.ms(-.infinity) == "-")
        #expect(Glyphs.unicode.sparkline([.nan, 1, .infinity], width: 3) == "▁█▁")
        var h = Harness()
        var rows = h.state.services
        rows[0].rps = .infinity
        rows[0].errorRate = .nan
        rows[0].rateSeries = [.nan, .infinity]
        h.send(.loaded(.services(rows)))
        #expect(h.text.contains("frontend"))
    }
}
