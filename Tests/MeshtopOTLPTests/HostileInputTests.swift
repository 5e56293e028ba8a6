import Foundation
import MeshtopModel
import MeshtopOTLP
import MeshtopOTLPProto
import SwiftProtobuf
import Testing

/// Bodies no SDK sends: each gives an error or rejections, never a crash.
@Suite struct HostileInputTests {
    static func decode(_ signal: OTLPSignal, _ body: [UInt8], _ encoding: OTLPEncoding = .protobuf) throws
        -> OTLPDecoded
    {
        var c = CumulativeToDelta()
        return try OTLPRequestDecoder.decode(
            signal, body: body, encoding: encoding, receivedAtMicros: 0, cumulative: &c)
    }

    @Test(arguments: OTLPSignal.allCases)
    func everyTruncationOfARealBody(signal: OTLPSignal) throws {
        let name = ["traces": "otlp-traces-1.pb", "logs": "otlp-logs-1.pb", "metrics": "otlp-metrics-1.pb"][
            signal.rawValue]!
        let body = try Fixture.bytes(name)
        var thrown = 0
        for n in 0..<body.count {
            do {
                _ = try Self.decode(signal, Array(body.prefix(n)))
            } catch let e as OTLPDecodeError {
                thrown += 1
                #expect(e.description.contains("not a protobuf"))
            }
        }
        #expect(thrown > 0)
    }

    @Test func randomBytes() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let body = (0..<Int.random(in: 1...512, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            for signal in OTLPSignal.allCases {
                for encoding in [OTLPEncoding.protobuf, .json] {
                    if let d = try? Self.decode(signal, body, encoding) {
                        #expect(d.records.count + d.rejected <= body.count)
                    }
                }
            }
        }
    }

    @Test func jsonGarbageThrows() {
        for body in [
            "", "{", "[]", "{\"resourceSpans\": 3}",
            "{\"resourceSpans\": [{\"scopeSpans\": [{\"spans\": [{\"kind\": {}}]}]}]}",
        ] {
            #expect(throws: OTLPDecodeError.self) { try Self.decode(.traces, Array(body.utf8), .json) }
        }
    }

    @Test func wrongLengthAndZeroIDsAreRejectedOneByOne() throws {
        func span(_ trace: [UInt8], _ id: [UInt8], parent: [UInt8] = []) -> Opentelemetry_Proto_Trace_V1_Span {
            var s = Opentelemetry_Proto_Trace_V1_Span()
            s.traceID = Data(trace)
            s.spanID = Data(id)
            s.parentSpanID = Data(parent)
            s.startTimeUnixNano = 1
            return s
        }
        let trace = [UInt8](repeating: 0xAB, count: 16)
        let id = [UInt8](repeating: 0xCD, count: 8)
        var r = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest()
        r.resourceSpans = [Opentelemetry_Proto_Trace_V1_ResourceSpans()]
        r.resourceSpans[0].scopeSpans = [Opentelemetry_Proto_Trace_V1_ScopeSpans()]
        r.resourceSpans[0].scopeSpans[0].spans = [
            span(trace, id),
            span([UInt8](repeating: 0, count: 16), id),
            span(Array(trace.prefix(8)), id),
            span(trace, [UInt8](repeating: 0, count: 8)),
            span(trace, Array(id.prefix(4))),
            span(trace, id, parent: [1, 2, 3]),
            span(trace, id, parent: [UInt8](repeating: 0, count: 8)),
        ]
        let d = OTLPRequestDecoder.records(from: r)
        #expect(d.records.count == 2)
        #expect(d.records.compactMap(\.span).map(\.parentID) == [nil, nil])
        #expect(d.rejected == 5)
        #expect(d.rejectReasons == [.invalidTraceID: 2, .invalidSpanID: 3])
        // Through the protobuf body too.
        let viaBody = try Self.decode(.traces, try r.serializedBytes())
        #expect(viaBody == d)
    }

    @Test func hugeRepeatedFields() throws {
        var r = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest()
        r.resourceSpans = [Opentelemetry_Proto_Trace_V1_ResourceSpans()]
        r.resourceSpans[0].scopeSpans = [Opentelemetry_Proto_Trace_V1_ScopeSpans()]
        r.resourceSpans[0].scopeSpans[0].spans = Array(repeating: Opentelemetry_Proto_Trace_V1_Span(), count: 100_000)
        let d = try Self.decode(.traces, try r.serializedBytes())
        #expect(d.records.isEmpty)
        #expect(d.rejected == 100_000)

        var h = Opentelemetry_Proto_Metrics_V1_HistogramDataPoint()
        h.count = 1
        h.explicitBounds = (0..<100_000).map(Double.init)
        h.bucketCounts = [UInt64](repeating: 0, count: 100_001)
        h.bucketCounts[5] = 1
        var m = Opentelemetry_Proto_Metrics_V1_Metric()
        m.name = "wide"
        m.histogram.aggregationTemporality = .delta
        m.histogram.dataPoints = [h]
        var mr = Opentelemetry_Proto_Collector_Metrics_V1_ExportMetricsServiceRequest()
        mr.resourceMetrics = [Opentelemetry_Proto_Metrics_V1_ResourceMetrics()]
        mr.resourceMetrics[0].scopeMetrics = [Opentelemetry_Proto_Metrics_V1_ScopeMetrics()]
        mr.resourceMetrics[0].scopeMetrics[0].metrics = [m]
        let md = try Self.decode(.metrics, try mr.serializedBytes())
        #expect(md.records.isEmpty)
        #expect(md.rejectReasons == [.invalidMetricPoint: 1])
    }

    @Test func deeplyNestedValuesHitTheDepthLimit() throws {
        // A body attribute nested 10,000 arrays deep, written by hand: field 1 (values) of ArrayValue,
        // field 5 (array_value) of AnyValue.
        var value: [UInt8] = [0x0A, 0x01, 0x78]  // AnyValue{string_value: "x"}
        for _ in 0..<10_000 {
            let array = [0x0A] + varint(value.count) + value  // ArrayValue{values: [value]}
            value = [0x2A] + varint(array.count) + array  // AnyValue{array_value: array}
        }
        var record: [UInt8] = [0x2A] + varint(value.count) + value  // LogRecord.body (field 5)
        record = [0x12] + varint(record.count) + record  // ScopeLogs.log_records (field 2)
        record = [0x12] + varint(record.count) + record  // ResourceLogs.scope_logs (field 2)
        let body = [0x0A] + varint(record.count) + record  // ExportLogsServiceRequest.resource_logs
        #expect(throws: OTLPDecodeError.self) { try Self.decode(.logs, body) }
    }

    @Test func badMetricPoints() throws {
        let body = #"""
            {"resourceMetrics":[{"scopeMetrics":[{"metrics":[
              {"name":"nodata"},
              {"name":"nan","gauge":{"dataPoints":[{"asDouble":"NaN"}]}},
              {"name":"novalue","gauge":{"dataPoints":[{}]}},
              {"name":"notemporality","sum":{"dataPoints":[{"asInt":"1"}]}},
              {"name":"mismatch","histogram":{"aggregationTemporality":1,
                "dataPoints":[{"count":"1","bucketCounts":["1"],"explicitBounds":[1,2]}]}},
              {"name":"scale","exponentialHistogram":{"aggregationTemporality":1,"dataPoints":[{"scale":99}]}},
              {"name":"norecorded","gauge":{"dataPoints":[{"asInt":"1","flags":1}]}},
              {"name":"ok","gauge":{"dataPoints":[{"asInt":"1"}]}}]}]}]}
            """#
        let d = try Self.decode(.metrics, Array(body.utf8), .json)
        #expect(d.records.compactMap(\.metric).map(\.name) == ["ok"])
        #expect(d.rejectReasons == [.invalidMetricPoint: 6])
        #expect(d.message == "rejected 6 data points: invalid_metric_point 6")
    }

    private func varint(_ n: Int) -> [UInt8] {
        var v = UInt64(n)
        var out: [UInt8] = []
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
        return out
    }
}
