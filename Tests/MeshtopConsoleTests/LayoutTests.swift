import MeshtopModel
import Testing

@testable import MeshtopConsole

/// The topology layout, the waterfall tree and critical path, the key table and formatting.
@Suite struct LayoutTests {
    @Test func longestPathLayeringWithDummiesOnLongEdges() {
        let l = TopologyLayout(names: ["a", "b", "c"], edges: [("a", "b"), ("b", "c"), ("a", "c")])
        let layer = Dictionary(uniqueKeysWithValues: l.nodes.filter { !$0.dummy }.map { ($0.name, $0.layer) })
        #expect(layer == ["a": 0, "b": 1, "c": 2])
        #expect(l.nodes.filter(\.dummy).map(\.layer) == [1])
        #expect(l.segments.count == 4)
    }

    @Test func cyclesDoNotHangAndStayLayered() {
        let l = TopologyLayout(names: [], edges: [("a", "b"), ("b", "a"), ("b", "b")])
        #expect(Set(l.nodes.map(\.layer)) == [0, 1])
        #expect(l.segments.count == 2)
    }

    @Test func barycentreOrderingRemovesAvoidableCrossings() {
        // Alphabetical order (a,b over x,y) crosses a→y with b→x; reordering removes it.
        let l = TopologyLayout(names: [], edges: [("a", "y"), ("b", "x")])
        #expect(l.crossings() == 0)
    }

    @Test func waterfallTreeAndCriticalPath() {
        let id = TraceID(high: 0, low: 1)
        func span(_ n: UInt64, _ parent: UInt64?, _ start: Int64, _ end: Int64) -> Span {
            Span(
                traceID: id, spanID: SpanID(n), parentID: parent.map(SpanID.init), service: "s", name: "op\(n)",
                startMicros: start, durationMicros: end - start)
        }
        let spans = [
            span(1, nil, 0, 100), span(3, 1, 40, 100), span(2, 1, 0, 30), span(4, 1, 50, 60),
            span(5, 99, 10, 20),
        ]
        let rows = WaterfallRow.tree(spans)
        #expect(rows.map(\.span.spanID.raw) == [1, 2, 3, 4, 5])
        #expect(rows.map(\.depth) == [0, 1, 1, 1, 0])
        #expect(rows.filter(\.critical).map(\.span.spanID.raw) == [1, 2, 3])
    }

    @Test func keyTableFeedsFooterAndHelp() {
        let hints = KeyTable.hints(for: .tab(.services))
        #expect(hints.first.map { $0.key + " " + $0.label } == "Enter traces")
        #expect(hints.contains { $0.key == "s" && $0.label == "sort" })
        #expect(!KeyTable.hints(for: .tab(.logs)).contains { $0.key == "s" })
        #expect(KeyTable.action(for: .char("3"), on: .tab(.services)) == .goToTab(.traces))
        #expect(KeyTable.action(for: .escape, on: .trace) == .back)
        var h = Harness(rows: 50, cols: 100)
        h.keys(.char("?"))
        for b in KeyTable.bindings { #expect(h.text.contains(b.description)) }
    }

    @Test func formatsNumbersCompactly() {
        #expect(Format.count(1_234) == "1.2k")
        #expect(Format.count(56_700) == "57k")
        #expect(Format.ms(0.25) == "0.25ms")
        #expect(Format.ms(1_500) == "1.5s")
        #expect(Format.percent(0.005) == "0.5%")
        #expect(Format.bytes(12_582_912) == "12MB")
        #expect(Format.age(125_000_000) == "2m")
        #expect(Format.clockMillis(fixedNow + 5_000) == "11:06:40.005")
    }
}
