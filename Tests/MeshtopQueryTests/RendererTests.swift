import MeshtopModel
import MeshtopQuery
import Testing

@Suite struct RendererTests {
    typealias F = FixtureDatabase

    static let evilLog = LogRow(
        id: 1,
        record: LogRecord(
            timeMicros: F.t0, service: "web,1", host: "h", severity: .warning,
            message: "evil \u{1b}[2J say \"hi\", ok\nnext"))

    @Test func csvQuotesCommasQuotesAndNewlines() {
        #expect(CSVRenderer.quote("plain") == "plain")
        #expect(CSVRenderer.quote("a,b") == "\"a,b\"")
        #expect(CSVRenderer.quote("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVRenderer.quote("line1\nline2") == "\"line1\nline2\"")
        #expect(CSVRenderer.quote("cr\r") == "\"cr\r\"")
        let csv = OutputRenderer.render(Records.logs([Self.evilLog]), as: .csv)
        #expect(
            csv == "time,service,host,severity,message,trace_id,span_id,attributes\r\n"
                + "2026-11-26T10:00:00.000000Z,\"web,1\",h,warn,\"evil \\x1b[2J say \"\"hi\"\", ok\\nnext\",,,{}\r\n")
        #expect(!csv.unicodeScalars.contains("\u{1b}"))
    }

    @Test func tableSanitisesAndAligns() {
        let text = OutputRenderer.render(Records.logs([Self.evilLog]), as: .table)
        #expect(
            text == """
                TIME                     SERVICE  HOST  SEVERITY  MESSAGE                          TRACE_ID  SPAN_ID
                2026-11-26 10:00:00.000  web,1    h     warn      evil \\x1b[2J say "hi", ok\\nnext  -         -

                """)
        #expect(!text.unicodeScalars.contains("\u{1b}"))
        let numbers = OutputTable(
            columns: ["name", "n"],
            records: [
                OutputRecord([OutputField("name", .text("a")), OutputField("n", .number(1.5, decimals: 2))]),
                OutputRecord([OutputField("name", .text("bbb")), OutputField("n", .number(12.345, decimals: 2))]),
            ])
        #expect(TableRenderer.render(numbers) == "NAME      N\na      1.50\nbbb   12.35\n")
        #expect(TableRenderer.fixed(-0.004, 2) == "0.00")
        #expect(TableRenderer.fixed(2.5, 0) == "3")
    }

    @Test func sortNumbersLargestFirstAndTextAscending() {
        func row(_ name: String, _ n: Double) -> OutputRecord {
            OutputRecord([OutputField("name", .text(name)), OutputField("n", .number(n, decimals: 1))])
        }
        let table = OutputTable(columns: ["name", "n"], records: [row("b", 1), row("c", 3), row("a", 2)])
        #expect(table.sorted(by: "n").records.map { $0["name"] } == [.text("c"), .text("a"), .text("b")])
        #expect(table.sorted(by: "name").records.map { $0["n"]?.numeric } == [2, 1, 3])
        #expect(table.sorted(by: "n").prefix(2).records.count == 2)
        #expect(table.prefix(nil).records.count == 3)
    }

    @Test func jsonEscapesControlCharactersAsUnicodeEscapes() {
        let text = OutputRenderer.render(Records.logs([Self.evilLog]), as: .jsonl)
        #expect(text.contains(#""message":"evil \u001b[2J say \"hi\", ok\nnext""#))
        #expect(!text.unicodeScalars.contains("\u{1b}"))
        #expect(OutputRenderer.render(OutputTable(columns: ["a"], records: []), as: .json) == "[]\n")
    }

    @Test func treeSnapshotMarksCriticalPathAndErrors() throws {
        let detail = TraceDetail(traceID: F.traceA, spans: F.spans().filter { $0.traceID == F.traceA })
        let text = TraceTreeRenderer.render(detail, width: 80)
        #expect(
            text == """
                trace 4bf92f3577b34da6a3ce929d0e0e4736  5 spans  3 services  120ms  1 errors
                * frontend GET /checkout   |=======================================| 120ms
                *   frontend orders.create | ================================      | 100ms
                *     orders POST /orders  |   =============================       |  90ms
                *       payments charge    |      !!!!!!!!!!!!!                    |  40ms ERROR
                *       orders db.query    |                     =========         |  30ms

                """)
        // payments ends before db.query starts: both are on the path. An overlapped child is not.
        #expect(TraceTreeRenderer.criticalPath(detail.spans).map(\.raw).sorted() == [1, 2, 3, 4, 5])
        func span(_ id: UInt64, _ parent: UInt64?, _ start: Int64, _ duration: Int64) -> Span {
            Span(
                traceID: F.traceB, spanID: SpanID(id), parentID: parent.map(SpanID.init), service: "s", name: "n",
                startMicros: start, durationMicros: duration)
        }
        let overlapped = [span(1, nil, 0, 100), span(2, 1, 0, 90), span(3, 1, 10, 40)]
        #expect(TraceTreeRenderer.criticalPath(overlapped).map(\.raw).sorted() == [1, 2])
    }

    @Test func dotIsValidGraphvizWithQuotedIds() throws {
        let topology = Topology(
            nodes: [
                TopologyNode(service: "web \"edge\"", health: .healthy),
                TopologyNode(service: "db\\x", health: .failing),
            ],
            edges: [
                EdgeRow(
                    caller: "web \"edge\"", callee: "db\\x", calls: 10, errors: 1, errorRate: 0.1, rps: 2.5,
                    p50Ms: 3, p99Ms: 12.25, breaker: .open)
            ])
        let dot = TopologyRenderer.dot(topology)
        #expect(
            dot == """
                digraph meshtop {
                  rankdir=LR;
                  node [shape=box, style=rounded];
                  "web \\"edge\\"" [label="web \\"edge\\"\\nhealthy", color="green"];
                  "db\\\\x" [label="db\\\\x\\nfailing", color="red"];
                  "web \\"edge\\"" -> "db\\\\x" [label="2.50 rps, 10.0% err, p99 12.3ms, breaker open", \
                color="red", style="dashed"];
                }

                """)
        #expect(Self.dotIsBalanced(dot))
        let mermaid = TopologyRenderer.mermaid(topology)
        #expect(mermaid.hasPrefix("graph LR\n  n0[\"web #quot;edge#quot;<br/>healthy\"]:::healthy\n"))
        #expect(mermaid.contains("  n0 -->|\"2.50 rps, 10.0% err, p99 12.3ms, breaker open\"| n1\n"))
    }

    /// Every string closes and braces/brackets balance outside strings (what `dot` would reject first).
    static func dotIsBalanced(_ dot: String) -> Bool {
        var inString = false
        var escaped = false
        var depth = 0
        for c in dot {
            if inString {
                if escaped {
                    escaped = false
                } else if c == "\\" {
                    escaped = true
                } else if c == "\"" {
                    inString = false
                }
                continue
            }
            switch c {
            case "\"": inString = true
            case "{", "[": depth += 1
            case "}", "]": depth -= 1
            default: break
            }
            if depth < 0 { return false }
        }
        return !inString && depth == 0
    }
}
