import MeshtopModel
import MeshtopOTLP
import Testing

@Suite struct OTLPLogTests {
    /// `otlp-logs-1.pb`: an ERROR record with a string body, emitted inside the server span.
    @Test func stringBodyWithTraceContext() throws {
        let decoded = try Fixture.decode(.logs, "otlp-logs-1.pb")
        #expect(decoded.rejected == 0)
        let l = try #require(decoded.records.first?.log)
        #expect(decoded.records.count == 1)
        #expect(l.timeMicros == 1_700_000_000_003_000)
        #expect(l.service == "checkout")
        #expect(l.severity == .error)
        #expect(l.message == "card declined for order 42")
        #expect(l.traceID == Fixture.traceID)
        #expect(l.spanID == Fixture.serverSpanID)
        #expect(l.attributes.first == Attribute("order.id", .int(42)))
        #expect(l.attributes[key: "otel.scope.name"] == .string("shop.checkout.log"))
        #expect(l.attributes[key: "otel.scope.version"] == .string("0.1"))
    }

    /// `otlp-logs-2.pb`: WARN2 without severity text, a structured body.
    @Test func structuredBodyAsJSON() throws {
        let l = try #require(try Fixture.decode(.logs, "otlp-logs-2.pb").records.first?.log)
        #expect(l.severity == .warning)
        #expect(l.message == #"{"event":"retry","attempt":2,"ok":false}"#)
        #expect(l.traceID == Fixture.traceID)
        #expect(l.spanID == Fixture.serverSpanID)
        #expect(l.timeMicros == 1_700_000_000_003_500)
    }

    /// The hand-written OTLP/JSON logs: enum as a number and a name, observed time as the fallback, severity
    /// text when there is no number, the receive time when there is no time, a short span id rejected.
    @Test func jsonLogs() throws {
        let decoded = try Fixture.decode(.logs, "otlp-logs.json", encoding: .json, receivedAtMicros: 42)
        #expect(decoded.rejected == 1)
        #expect(decoded.rejectReasons == [.invalidSpanID: 1])
        let logs = decoded.records.compactMap(\.log)
        #expect(logs.map(\.severity) == [.error, .warning, .warning])
        #expect(logs.map(\.timeMicros) == [1_700_000_000_003_000, 1_700_000_000_003_500, 42])
        #expect(logs[0].traceID == Fixture.traceID)
        #expect(logs[0].spanID == Fixture.serverSpanID)
        #expect(logs[1].message == #"{"event":"retry","attempt":2,"ok":false}"#)
        #expect(logs[2].traceID == nil)
        #expect(logs[2].spanID == nil)
        #expect(logs[2].message == "no time, no ids")
    }

    @Test(arguments: [
        (1, Severity.debug), (4, .debug), (5, .debug), (8, .debug), (9, .info), (12, .info), (13, .warning),
        (16, .warning), (17, .error), (20, .error), (21, .emergency), (24, .emergency),
    ])
    func severityNumberRanges(number: Int, expected: Severity) throws {
        let body =
            #"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":\#(number),"body":{"stringValue":"x"}}]}]}]}"#
        var c = CumulativeToDelta()
        let decoded = try OTLPRequestDecoder.decode(
            .logs, body: Array(body.utf8), encoding: .json, receivedAtMicros: 1, cumulative: &c)
        #expect(decoded.records.first?.log?.severity == expected)
        #expect(decoded.records.first?.log?.service == "unknown")
    }
}
