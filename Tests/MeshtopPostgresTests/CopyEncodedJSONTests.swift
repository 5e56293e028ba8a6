import Foundation
import MeshtopModel
import MeshtopStore
import NIOCore
import Testing

@testable import MeshtopPostgres

/// The COPY rows copy the JSON columns the collector encoded ahead (`WriteBatch.spanAttributesJSON`,
/// `spanEventsJSON`, `logAttributesJSON`): the bytes are those the encoder writes itself, for non-ASCII text,
/// every JSON escape, 80,000-character values and rows over several chunks; a column that does not hold one text
/// per row is encoded again; and the copied rows read back as they were sent.
@Suite(.serialized) struct CopyEncodedJSONTests {
    let rows = CopyWriteRoundTripTests()

    static func encoded(_ spans: [Span]) -> (attributes: EncodedJSON, events: EncodedJSON) {
        var attributes = EncodedJSON()
        var events = EncodedJSON()
        for s in spans {
            attributes.append(s.attributes)
            events.append(s.events)
        }
        return (attributes, events)
    }

    static func encoded(_ logs: [LogRecord]) -> EncodedJSON {
        var attributes = EncodedJSON()
        for l in logs { attributes.append(l.attributes) }
        return attributes
    }

    /// About 1 KB of escaped attributes per span and log: 3,000 of them are a few 1 MiB chunks of one COPY.
    func manySpansAndLogs() -> ([Span], [LogRecord]) {
        let filler = [Attribute("filler ü", .string(String(repeating: "abc\"\\\u{7}é", count: 70)))]
        let now = rows.now
        var spans: [Span] = []
        var logs: [LogRecord] = []
        for i in 0..<3_000 {
            var s = Span(
                traceID: TraceID(high: 9, low: UInt64(i / 10)), spanID: SpanID(UInt64(i + 1)), parentID: nil,
                service: "svc", name: "op \(i)", startMicros: now - 100_000 + Int64(i), durationMicros: 1)
            s.attributes = filler + [Attribute("i", .int(Int64(i)))]
            if i % 3 == 0 { s.events = [SpanEvent(timeMicros: now, name: "e \(i) ✓", attributes: filler)] }
            spans.append(s)
            logs.append(
                LogRecord(timeMicros: now - 50_000 + Int64(i), service: "svc", message: "line \(i)", attributes: filler)
            )
        }
        return (spans, logs)
    }

    @Test func copiedJSONIsTheBytesTheEncoderWrites() {
        let (many, manyLogs) = manySpansAndLogs()
        let spanSets = [rows.spans(), many]
        for spans in spanSets {
            let json = Self.encoded(spans)
            let plain = PostgresCopyRows.spans(collector: "c-ü", spans)
            let copied = PostgresCopyRows.spans(
                collector: "c-ü", spans, attributes: json.attributes, events: json.events)
            #expect(copied == plain)
            // The texts are copied as given (swapped columns of the right count change the rows).
            let swapped = PostgresCopyRows.spans(
                collector: "c-ü", spans, attributes: json.events, events: json.attributes)
            #expect(swapped != plain)
            // One text short: encoded again, the same bytes.
            var short = EncodedJSON()
            for s in spans.dropLast() { short.append(s.events) }
            let fallback = PostgresCopyRows.spans(collector: "c-ü", spans, attributes: json.attributes, events: short)
            #expect(fallback == plain)
        }
        #expect(PostgresCopyRows.spans(collector: "c", many).count > 1)
        for logs in [rows.logs(spanSets[0][0].traceID), manyLogs] {
            let plain = PostgresCopyRows.logs(collector: "c-ü", logs)
            #expect(PostgresCopyRows.logs(collector: "c-ü", logs, attributes: Self.encoded(logs)) == plain)
            #expect(PostgresCopyRows.logs(collector: "c-ü", logs, attributes: EncodedJSON()) == plain)
        }
    }

    @Test func copiedJSONRoundTrips() throws {
        try TestServer.withDatabase { url in
            let store = try PostgresStore.open(url: url, collectorID: "collector-ü", leaderElection: false)
            defer { store.close() }
            let spans = rows.spans()
            let trace = spans[0].traceID
            let logs = rows.logs(trace)
            let json = Self.encoded(spans)
            try store.withOwnConnection { c in
                try c.copyBinary(
                    table: "spans", columns: PostgresCopyRows.spanColumns,
                    PostgresCopyRows.spans(
                        collector: "collector-ü", spans, attributes: json.attributes, events: json.events),
                    store.logger)
                try c.copyBinary(
                    table: "logs", columns: PostgresCopyRows.logColumns,
                    PostgresCopyRows.logs(collector: "collector-ü", logs, attributes: Self.encoded(logs)),
                    store.logger)
            }
            let reader = try PostgresStore.openReadOnly(url: url)
            defer { reader.close() }
            guard case .found(_, let read, let readLogs) = try reader.trace(hexPrefix: trace.hex) else {
                Issue.record("trace not found")
                return
            }
            #expect(read == spans)
            #expect(readLogs == [logs[1], logs[2]])
            let window = TimeWindow(sinceMicros: rows.now - 60_000_000, untilMicros: rows.now + 1)
            #expect(try reader.logs(LogSearch(window: window, limit: 10)).map(\.record) == logs)
        }
    }
}
