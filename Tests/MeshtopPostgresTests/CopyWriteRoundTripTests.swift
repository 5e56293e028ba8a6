import Foundation
import MeshtopModel
import MeshtopPostgres
import MeshtopStore
import Testing

/// Spans and logs go in by binary COPY (`PostgresCopy.swift`): every nullable column both NULL and set (an empty
/// string stays an empty string, not NULL), non-ASCII text, long and awkward JSON, batches of several COPY chunks,
/// through the writer and back through the readers; and a row the server refuses fails its batch alone.
@Suite(.serialized) struct CopyWriteRoundTripTests {
    let now = SystemClock.wallMicros()

    /// A string that needs every JSON escape and several UTF-8 widths.
    static let awkward = "naïve \"quoted\" back\\slash\nnew line\ttab \u{1}\u{1F}\u{7F}\u{85} 日本語 🚀 Ωμέγα"

    func spans() -> [Span] {
        let trace = TraceID(high: 0xC0FF_EE00_0000_0001, low: 0x8000_0000_0000_0001)
        let long = String(repeating: "x€", count: 40_000)
        var root = Span(
            traceID: trace, spanID: SpanID(0xFFFF_FFFF_FFFF_FFFE), parentID: nil, service: "gateway",
            name: "GET /", startMicros: now - 9_000, durationMicros: 0)
        root.kind = .unspecified
        let child = Span(
            traceID: trace, spanID: SpanID(2), parentID: SpanID(0xFFFF_FFFF_FFFF_FFFE), service: "支付-сервис ✓",
            name: "POST /pay " + Self.awkward, kind: .client, startMicros: now - 8_000, durationMicros: 1_234_567,
            isError: true, status: .error, statusMessage: "délai dépassé ⏱", peerService: "db-ß",
            attributes: [
                Attribute("long", .string(long)), Attribute("awkward " + Self.awkward, .string(Self.awkward)),
                Attribute("n", .int(-9_007_199_254_740_993)), Attribute("d", .double(1.5)),
                Attribute("b", .bool(false)), Attribute("a", .array([.int(1), .string("zwei")])),
                Attribute("m", .map([Attribute("k", .string("v"))])),
            ] + (0..<300).map { Attribute("key.\($0)", .string("value \($0) ü")) },
            events: [
                SpanEvent(timeMicros: now - 7_999, name: "retry ↻", attributes: [Attribute("try", .int(2))]),
                SpanEvent(timeMicros: now - 7_998, name: Self.awkward),
            ],
            links: [
                SpanLink(traceID: TraceID(high: 1, low: 2), spanID: SpanID(3)),
                SpanLink(
                    traceID: TraceID(high: 0, low: 9), spanID: SpanID(10),
                    attributes: [Attribute("why", .string("fan-in ⇶"))]),
            ])
        // Empty strings where NULL is possible: stored as empty strings.
        let empty = Span(
            traceID: trace, spanID: SpanID(3), parentID: SpanID(2), service: "", name: "", kind: .consumer,
            startMicros: now - 7_000, durationMicros: 5, status: .ok, statusMessage: "", peerService: "")
        return [root, child, empty]
    }

    func logs(_ trace: TraceID) -> [LogRecord] {
        [
            LogRecord(
                timeMicros: now - 6_000, service: "gateway", host: "", severity: .emergency, message: "bare log"),
            LogRecord(
                timeMicros: now - 5_000, service: "支付-сервис ✓", host: "hôte-1", severity: .debug,
                message: "traced " + Self.awkward + String(repeating: " mot", count: 20_000), traceID: trace,
                spanID: SpanID(2),
                attributes: [Attribute("awkward", .string(Self.awkward)), Attribute("n", .int(7))]),
            LogRecord(
                timeMicros: now - 4_000, service: "gateway", host: "h", severity: .warning,
                message: "trace only", traceID: trace, spanID: nil),
        ]
    }

    @Test func spansAndLogsRoundTripWithNullsAndNonASCII() throws {
        try TestServer.withDatabase { url in
            let store = try PostgresStore.open(url: url, collectorID: "collector-ü", leaderElection: false)
            defer { store.close() }
            let spans = spans()
            let trace = spans[0].traceID
            let logs = logs(trace)
            try store.write(WriteBatch(spans: spans, logs: logs))

            let reader = try PostgresStore.openReadOnly(url: url)
            defer { reader.close() }
            guard case .found(let id, let read, let readLogs) = try reader.trace(hexPrefix: trace.hex) else {
                Issue.record("trace not found")
                return
            }
            #expect(id == trace)
            #expect(read.count == 3)
            for (got, sent) in zip(read, spans) {
                #expect(got == sent, "span \(sent.spanID.hex)")
            }
            #expect(readLogs == [logs[1], logs[2]])
            let window = TimeWindow(sinceMicros: now - 60_000_000, untilMicros: now + 1)
            let all = try reader.logs(LogSearch(window: window, limit: 10)).map(\.record)
            #expect(all == logs)
            #expect(try reader.logs(LogSearch(window: window, text: "naïve")).map(\.record) == [logs[1]])
            #expect(try reader.logs(LogSearch(window: window, service: "支付-сервис ✓")).count == 1)

            // NULL exactly where the model has nil, an empty string where it has one.
            let nulls = try reader.sql(
                """
                SELECT count(*) FILTER (WHERE parent_id IS NULL), count(*) FILTER (WHERE status_message IS NULL),
                    count(*) FILTER (WHERE status_message = ''), count(*) FILTER (WHERE peer_service IS NULL),
                    count(*) FILTER (WHERE peer_service = ''), count(*) FILTER (WHERE links IS NULL),
                    count(*) FILTER (WHERE collector = 'collector-ü'), min(octet_length(trace_id)),
                    min(octet_length(span_id)), max(octet_length(parent_id))
                FROM spans
                """, limit: nil)
            #expect(nulls.rows == [[1, 1, 1, 1, 1, 2, 3, 16, 8, 8].map(SQLValue.integer)])
            let logNulls = try reader.sql(
                """
                SELECT count(*) FILTER (WHERE trace_id IS NULL), count(*) FILTER (WHERE span_id IS NULL),
                    count(*) FILTER (WHERE host = ''), count(*) FILTER (WHERE attributes = '{}'),
                    count(*) FILTER (WHERE collector = 'collector-ü'), count(DISTINCT id)
                FROM logs
                """, limit: nil)
            #expect(logNulls.rows == [[1, 2, 1, 2, 3, 3].map(SQLValue.integer)])
        }
    }

    @Test func batchesOfManyChunksAndARefusedRow() throws {
        try TestServer.withDatabase { url in
            let store = try PostgresStore.open(url: url, collectorID: "c", leaderElection: false)
            defer { store.close() }
            // ~2.5 KB of attributes per span: 3,000 spans are several 1 MiB chunks of one COPY.
            let filler = [Attribute("filler", .string(String(repeating: "abcdefghij", count: 250)))]
            func spanNumber(_ i: Int) -> Span {
                let parent: SpanID? = i % 10 == 0 ? nil : SpanID(UInt64(i / 10 * 10 + 1))
                return Span(
                    traceID: TraceID(high: 7, low: UInt64(i / 10)), spanID: SpanID(UInt64(i + 1)), parentID: parent,
                    service: "svc-\(i % 7)", name: "op \(i)", startMicros: now - 100_000 + Int64(i),
                    durationMicros: Int64(i), attributes: filler + [Attribute("i", .int(Int64(i)))])
            }
            func logNumber(_ i: Int) -> LogRecord {
                let trace: TraceID? = i % 2 == 0 ? TraceID(high: 7, low: UInt64(i / 10)) : nil
                return LogRecord(
                    timeMicros: now - 50_000 + Int64(i), service: "svc", message: "line \(i)", traceID: trace,
                    attributes: filler)
            }
            let many = (0..<3_000).map(spanNumber)
            let manyLogs = (0..<3_000).map(logNumber)
            try store.write(WriteBatch(spans: many, logs: manyLogs))
            #expect(store.rowCounts()["spans"] == 3_000 && store.rowCounts()["logs"] == 3_000)
            let sums = try store.sql(
                """
                SELECT (SELECT sum(duration_us)::bigint FROM spans), (SELECT count(*) FROM spans WHERE parent_id IS NULL),
                    (SELECT count(*) FROM logs WHERE trace_id IS NULL)
                """, limit: nil)
            #expect(sums.rows == [[.integer(Int64(2_999 * 3_000 / 2)), .integer(300), .integer(1_500)]])
            guard case .found(_, let trace, let traceLogs) = try store.trace(hexPrefix: many[1234].traceID.hex)
            else {
                Issue.record("trace not found")
                return
            }
            #expect(trace == Array(many[1230..<1240]))
            #expect(traceLogs.count == 5)

            // PostgreSQL text cannot hold NUL: the server refuses the row, the whole batch is rolled back, and the
            // writer's connection takes the next batch.
            var bad = many[0]
            bad.spanID = SpanID(99_999)
            bad.service = "nul\u{0}here"
            #expect(throws: (any Error).self) {
                try store.write(WriteBatch(spans: [many[1], bad], logs: [manyLogs[0]]))
            }
            #expect(store.rowCounts()["spans"] == 3_000 && store.rowCounts()["logs"] == 3_000)
            try store.write(WriteBatch(spans: [many[2]], logs: [manyLogs[1]]))
            #expect(store.rowCounts()["spans"] == 3_001 && store.rowCounts()["logs"] == 3_001)
        }
    }
}
