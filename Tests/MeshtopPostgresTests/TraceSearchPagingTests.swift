import Foundation
import MeshtopModel
import MeshtopPostgres
import MeshtopStore
import Testing

/// `traceSpans` reads matching spans newest first in keyset pages of 1,000: traces come in the order of their
/// newest matching span, a tie at a page's end is read whole, and the walk goes on past it.
@Suite(.serialized) struct TraceSearchPagingTests {
    @Test func pagesKeepTiesAndNewestFirstOrder() throws {
        try TestServer.withDatabase { url in
            let store = try PostgresStore.open(url: url, collectorID: "c1", leaderElection: false)
            defer { store.close() }
            let tie = SystemClock.wallMicros() - 60_000_000
            // 1,200 traces with one `api` span each at the same instant: a page of 1,000 ends inside the tie.
            var spans = (0..<1_200).map { i in span(UInt64(10_000 + i), 1, service: "api", at: tie) }
            // 500 older traces of 3 `api` spans at distinct instants (trace k newest at tie - 10 - 30k), plus a
            // `db` span newer than the tie that must not count for service=api.
            for k in 0..<500 {
                for j in 0..<3 {
                    var s = span(UInt64(k + 1), UInt64(j + 1), service: "api", at: tie - 10 - Int64(30 * k + 10 * j))
                    // a rare tag on one span of every 50th older trace (k = 0, 50, …, 450)
                    if k % 50 == 0 && j == 2 { s.attributes.append(Attribute("rare", .string("yes"))) }
                    spans.append(s)
                }
                spans.append(span(UInt64(k + 1), 9, service: "db", at: tie + 1_000 + Int64(k)))
            }
            try store.write(WriteBatch(spans: spans))

            let reader = try PostgresStore.openReadOnly(url: url)
            defer { reader.close() }
            let window = TimeWindow(sinceMicros: tie - 3_600_000_000, untilMicros: tie + 3_600_000_000)
            let found = try reader.traceSpans(TraceSearch(window: window, service: "api", limit: 1_300))
            let lows = found.map { $0[0].span.traceID.low }
            #expect(lows.count == 1_300)
            #expect(Set(lows.prefix(1_200)) == Set((0..<1_200).map { UInt64(10_000 + $0) }))
            #expect(Array(lows.suffix(100)) == (1...100).map { UInt64($0) })
            #expect(found.allSatisfy { $0.count == 1 || $0.count == 4 })

            // A tag is judged per span (spans without the key are no match), newest matching span first.
            let rare = try reader.traceSpans(
                TraceSearch(window: window, tags: [Attribute("rare", .string("yes"))], limit: 5))
            #expect(rare.map { $0[0].span.traceID.low } == [1, 51, 101, 151, 201])
            let none = try reader.traceSpans(TraceSearch(window: window, tags: [Attribute("rare", .string("no"))]))
            #expect(none.isEmpty)
            let newest = try reader.traceSpans(TraceSearch(window: window, service: "db", limit: 3))
            #expect(newest.map { $0[0].span.traceID.low } == [500, 499, 498])
        }
    }
}
