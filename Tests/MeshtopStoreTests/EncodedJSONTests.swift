import Foundation
import MeshtopModel
import MeshtopStore
import Testing

/// A batch carrying pre-encoded JSON columns stores the same text as one the store encodes itself; a batch whose
/// encoded columns do not match its rows is encoded by the store.
@Suite struct EncodedJSONTests {
    static let attrs = [Attribute("http.status_code", .int(500)), Attribute("note", .string("a \"q\"\u{1b}"))]
    static let events = [SpanEvent(timeMicros: 1_000_100, name: "retry", attributes: [Attribute("n", .int(2))])]

    @Test func textsAreKeptInOrderAndConcatenate() {
        var a = EncodedJSON()
        a.append(Self.attrs)
        var b = EncodedJSON()
        b.append(Self.events)
        b.append([Attribute]())
        a.append(contentsOf: b)
        a.append(contentsOf: EncodedJSON())
        #expect(a.count == 3)
        #expect(a.text(at: 0) == JSONText.encode(Self.attrs))
        #expect(a.text(at: 1) == JSONText.encode(Self.events))
        #expect(a.text(at: 2) == "{}")
    }

    @Test func preEncodedColumnsAreStoredAsGiven() throws {
        let store = try MeshtopStore.inMemory()
        let span = Fixture.span(id: 0x1111, attributes: Self.attrs, events: Self.events)
        let log = Fixture.log("pre-encoded", trace: Fixture.trace)
        var batch = WriteBatch(spans: [span], logs: [log])
        batch.spanAttributesJSON.append(Self.attrs)
        batch.spanEventsJSON.append(Self.events)
        batch.logAttributesJSON.append([Attribute("k", .string("v"))])
        try store.write(batch)
        let stored = try #require(try store.spans(traceID: Fixture.trace).first)
        #expect(stored.attributesJSON == #"{"http.status_code":500,"note":"a \"q\"\u001b"}"#)
        #expect(stored.eventsJSON == #"[{"time":1000100,"name":"retry","attributes":{"n":2}}]"#)
        #expect(try store.logs(traceID: Fixture.trace).first?.attributesJSON == #"{"k":"v"}"#)
    }

    @Test func mismatchedColumnsAreIgnoredAndTheStoreEncodes() throws {
        let store = try MeshtopStore.inMemory()
        let first = Fixture.span(id: 0x1111, attributes: Self.attrs, events: Self.events)
        let second = Fixture.span(id: 0x2222, start: 1_000_500)
        var batch = WriteBatch(spans: [first, second])
        // One text for two spans: not parallel, so it must not be used.
        batch.spanAttributesJSON.append([Attribute("wrong", .bool(true))])
        batch.spanEventsJSON.append([SpanEvent]())
        try store.write(batch)
        let stored = try store.spans(traceID: Fixture.trace)
        #expect(stored.map(\.attributesJSON) == [JSONText.encode(Self.attrs), "{}"])
        #expect(stored.map(\.eventsJSON) == [JSONText.encode(Self.events), "[]"])
    }
}
