import MeshtopModel
import MeshtopOTLP
import Testing

@Suite struct CumulativeToDeltaTests {
    /// One monotonic cumulative counter point as OTLP/JSON.
    static func counter(_ value: Int, start: Int, time: Int, attribute: String = "a") -> [UInt8] {
        Array(
            #"""
            {"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"c","sum":{"aggregationTemporality":2,
             "isMonotonic":true,"dataPoints":[{"startTimeUnixNano":"\#(start)","timeUnixNano":"\#(time)",
             "asInt":"\#(value)","attributes":[{"key":"k","value":{"stringValue":"\#(attribute)"}}]}]}}]}]}]}
            """#.utf8)
    }

    static func deltas(_ bodies: [[UInt8]], _ c: inout CumulativeToDelta) throws -> [Double?] {
        try bodies.map {
            try OTLPRequestDecoder.decode(.metrics, body: $0, encoding: .json, receivedAtMicros: 0, cumulative: &c)
                .records.first?.metric?.value
        }
    }

    @Test func resetsOrderAndRepeats() throws {
        var c = CumulativeToDelta()
        let d = try Self.deltas(
            [
                Self.counter(5, start: 100, time: 200),
                Self.counter(8, start: 100, time: 300),
                Self.counter(8, start: 100, time: 300),  // repeated export
                Self.counter(7, start: 100, time: 250),  // out of order: dropped
                Self.counter(2, start: 400, time: 500),  // restart: new start time
                Self.counter(1, start: 400, time: 600),  // went down: a reset too
                Self.counter(4, start: 400, time: 700),
            ], &c)
        #expect(d == [5, 3, 0, nil, 2, 1, 3])
    }

    @Test func seriesAreSeparatedByAttributes() throws {
        var c = CumulativeToDelta()
        let d = try Self.deltas(
            [
                Self.counter(5, start: 1, time: 2, attribute: "x"), Self.counter(7, start: 1, time: 2, attribute: "y"),
                Self.counter(6, start: 1, time: 3, attribute: "x"),
            ], &c)
        #expect(d == [5, 7, 1])
        #expect(c.seriesCount == 2)
    }

    /// Without a start time, or one from before the receiver started, the first point is only the baseline.
    @Test func untrustedFirstPointsSetTheBaseline() throws {
        var c = CumulativeToDelta(startedAtNanos: 1000)
        let d = try Self.deltas(
            [
                Self.counter(50, start: 0, time: 2000, attribute: "nostart"),
                Self.counter(53, start: 0, time: 3000, attribute: "nostart"),
                Self.counter(40, start: 500, time: 2000, attribute: "old"),
                Self.counter(41, start: 500, time: 3000, attribute: "old"),
                Self.counter(9, start: 1500, time: 2000, attribute: "new"),
            ], &c)
        #expect(d == [nil, 3, nil, 1, 9])
    }

    /// Forgotten series come back as a baseline, never counted twice; memory stays bounded.
    @Test func boundedSeries() throws {
        var c = CumulativeToDelta(maxSeries: 10)
        for i in 0..<100 { _ = try Self.deltas([Self.counter(10, start: 5, time: 6, attribute: "s\(i)")], &c) }
        #expect(c.seriesCount <= 10)
        #expect(c.trustStartsAfterNanos == 5)
        let again = try Self.deltas([Self.counter(12, start: 5, time: 7, attribute: "s0")], &c)
        #expect(again == [nil])
        let resumed = try Self.deltas([Self.counter(15, start: 5, time: 8, attribute: "s0")], &c)
        #expect(resumed == [3])
    }
}
