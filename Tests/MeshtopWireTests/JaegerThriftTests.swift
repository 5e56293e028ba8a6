import MeshtopModel
import Testing

@testable import MeshtopWire

@Suite struct JaegerThriftTests {
    @Test func traceFixtureMatchesTheSDKTruth() throws {
        let grams = try SpanFixtures.datagrams("jaeger_thrift_trace.datagrams")
        #expect(grams.map(\.count) == [1170, 1723, 759])
        let perDatagram = try grams.map { try JaegerThriftDecoder.decodeEmitBatch($0).get() }
        #expect(
            perDatagram.map { $0.map(\.service) } == [
                ["gateway", "gateway"], ["orders", "orders", "orders"], ["payments"],
            ])
        let spans = perDatagram.flatMap { $0 }
        SpanFixtures.expectMatchesTruth(spans, try SpanFixtures.truth("trace_truth.json"))
        let root = try #require(spans.first { $0.name == "GET /checkout" })
        #expect(root.parentID == nil)
        #expect(root.startMicros == 1_795_733_245_727_775)
        #expect(root.traceID == TraceID(high: 0xb8a1_abcd_1a69_16c7, low: 0x4da4_f9fc_3c6d_a5d7))
    }

    @Test func errorFlagsFollowJaegerPrecedence() throws {
        let spans = try SpanFixtures.jaegerSpans("jaeger_thrift_trace.datagrams")
        let byName = Dictionary(uniqueKeysWithValues: spans.map { ($0.name, $0) })
        // error=true (bool) tag with otel.status_code ERROR.
        for name in ["GET /checkout", "POST /orders", "charge"] {
            #expect(byName[name]?.isError == true, "\(name)")
            #expect(byName[name]?.status == .error)
        }
        // No error tag, no status: the HTTP rule decides (502 ≥ 500 on any span).
        for name in ["POST orders", "POST payments"] {
            #expect(byName[name]?.isError == true, "\(name)")
            #expect(byName[name]?.status == .unset)
            #expect(byName[name]?.kind == .client)
        }
        #expect(byName["SELECT orders"]?.isError == false)
        #expect(byName["SELECT orders"]?.kind == .internal)
        #expect(byName["charge"]?.statusMessage == "card declined")
        #expect(byName["POST /orders"]?.statusMessage == "payment failed")
        #expect(byName["GET /checkout"]?.statusMessage == nil)
        #expect(byName["POST orders"]?.peerService == "orders")
        #expect(byName["POST payments"]?.peerService == "payments")
        #expect(byName["charge"]?.peerService == nil)
    }

    @Test func typedTagsAndTheLogEvent() throws {
        let spans = try SpanFixtures.jaegerSpans("jaeger_thrift_trace.datagrams")
        let charge = try #require(spans.first { $0.name == "charge" })
        #expect(charge.spanID.hex == "fd724452ccea71ff")
        #expect(charge.attributes[key: "payment.amount"] == .double(19.99))
        #expect(charge.attributes[key: "payment.retry"] == .bool(false))
        #expect(charge.attributes[key: "http.status_code"] == .int(502))
        #expect(charge.attributes[key: "http.route"] == .string("/charge"))
        #expect(charge.attributes[key: "error"] == .bool(true))
        #expect(charge.attributes[key: "span.kind"] == .string("server"))
        #expect(charge.attributes[key: "service.version"] == .string("0.9.0"))
        #expect(charge.attributes.count == 19)
        #expect(Set(charge.attributes.map(\.key)).count == charge.attributes.count)
        #expect(
            charge.events == [
                SpanEvent(
                    timeMicros: 1_795_733_245_760_862, name: "card declined",
                    attributes: [Attribute("reason", .string("insufficient_funds")), Attribute("attempt", .int(1))])
            ])
        let select = try #require(spans.first { $0.name == "SELECT orders" })
        #expect(select.spanID == SpanID(0x8ca5_9966_66ce_ab36))
        #expect(select.parentID?.hex == "0512bd1311072231")
        #expect(select.attributes[key: "db.statement"] == .string("SELECT * FROM orders WHERE id = $1"))
    }

    @Test func splitBatchKeepsParentsAcrossDatagrams() throws {
        let grams = try SpanFixtures.datagrams("jaeger_thrift_split.datagrams")
        #expect(grams.map(\.count) == [59455, 42979])
        let first = try JaegerThriftDecoder.decodeEmitBatch(grams[0]).get()
        let second = try JaegerThriftDecoder.decodeEmitBatch(grams[1]).get()
        #expect(first.count == 7)
        #expect(second.count == 6)
        let spans = first + second
        SpanFixtures.expectMatchesTruth(spans, try SpanFixtures.truth("jaeger_thrift_split_truth.json"))
        let root = try #require(second.first { $0.name == "POST /reports/nightly" })
        #expect(root.spanID.hex == "5c3902b38963dc6e")
        #expect(first.allSatisfy { $0.parentID == root.spanID && $0.service == "reports" })
        for s in spans where s.name.hasPrefix("render section") {
            guard case .string(let sql)? = s.attributes[key: "report.sql"] else {
                Issue.record("report.sql missing on \(s.name)")
                continue
            }
            #expect(sql.utf8.count == 8000)
            #expect(s.attributes[key: "report.section"] == .int(Int64(s.name.split(separator: " ").last!)!))
        }
    }

    @Test func everyTruncationIsRejectedWithoutCrashing() throws {
        for gram in try SpanFixtures.datagrams("jaeger_thrift_trace.datagrams") {
            for n in 0..<gram.count {
                let result = JaegerThriftDecoder.decodeEmitBatch(Array(gram[0..<n]))
                #expect(result == .failure(.thrift), "prefix \(n)")
            }
        }
    }

    @Test func randomBytesAreRejected() {
        // A fixed 64-bit LCG (Knuth's MMIX constants), so the inputs are the same on every run.
        var state: UInt64 = 42
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 24
        }
        for i in 0..<2000 {
            var bytes = (0..<Int(next() % 300)).map { _ in UInt8(truncatingIfNeeded: next()) }
            if i % 2 == 0 { bytes = [0x82, 0x81, 0x00, 0x09] + Array("emitBatch".utf8) + bytes }
            // Must return, whichever way; random tails almost never form a valid batch.
            if case .success(let spans) = JaegerThriftDecoder.decodeEmitBatch(bytes) {
                #expect(spans.allSatisfy { !$0.spanID.isZero })
            }
        }
        #expect(JaegerThriftDecoder.decodeEmitBatch([UInt8]()) == .failure(.thrift))
        #expect(JaegerThriftDecoder.decodeEmitBatch(Array("hello".utf8)) == .failure(.thrift))
    }

    @Test func hugeDeclaredLengthsAreRejected() {
        let header: [UInt8] = [0x82, 0x81, 0x00, 0x09] + Array("emitBatch".utf8)
        // Batch (field 1 struct) → spans (field 2 list) of struct with count 2^32-1 in a 20-byte input.
        let hugeList = header + [0x1C, 0x19, 0xFC, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00]
        #expect(JaegerThriftDecoder.decodeEmitBatch(hugeList) == .failure(.thrift))
        // Process serviceName string declaring 2^62 bytes.
        let hugeString = header + [0x1C, 0x1C, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x3F, 0x00]
        #expect(JaegerThriftDecoder.decodeEmitBatch(hugeString) == .failure(.thrift))
        // A varint longer than 10 bytes.
        let longVarint = header + [0x1C, 0x1C, 0x18] + [UInt8](repeating: 0x80, count: 12)
        #expect(JaegerThriftDecoder.decodeEmitBatch(longVarint) == .failure(.thrift))
        // Wrong method name and wrong protocol version.
        let wrongName: [UInt8] = [0x82, 0x81, 0x00, 0x04] + Array("emit".utf8) + [0x00]
        #expect(JaegerThriftDecoder.decodeEmitBatch(wrongName) == .failure(.thrift))
        let wrongVersion: [UInt8] = [0x82, 0x82, 0x00, 0x09] + Array("emitBatch".utf8) + [0x00]
        #expect(JaegerThriftDecoder.decodeEmitBatch(wrongVersion) == .failure(.thrift))
    }

    @Test func deepNestingIsRejected() {
        let header: [UInt8] = [0x82, 0x81, 0x00, 0x09] + Array("emitBatch".utf8)
        // An unknown field 3 of type struct holding struct-in-struct 10,000 levels deep.
        let deep = header + [UInt8](repeating: 0x1C, count: 10_000) + [UInt8](repeating: 0x00, count: 10_000)
        #expect(JaegerThriftDecoder.decodeEmitBatch(deep) == .failure(.thrift))
        let deepLists = header + [0x39] + [UInt8](repeating: 0x19, count: 10_000)
        #expect(JaegerThriftDecoder.decodeEmitBatch(deepLists) == .failure(.thrift))
    }

    /// A one-span batch from service `svc`: trace id 7, span id `ffffffffffffffff`, then `fields`.
    static func oneSpan(_ fields: (inout ThriftCompactWriter, inout Int16) -> Void) -> [UInt8] {
        var w = ThriftCompactWriter()
        // emitBatch_args{1: Batch{1: Process{1: "svc"}, 2: list<Span> of 1}}, then the span's fields.
        w.bytes([0x82, 0x81, 0x00, 0x09] + Array("emitBatch".utf8) + [0x1C, 0x1C, 0x18, 0x03] + Array("svc".utf8))
        w.bytes([0x00, 0x19, 0x1C])
        var span: Int16 = 0
        w.fieldHeader(type: CompactType.i64, id: 1, last: &span)
        w.i64(7)
        w.fieldHeader(type: CompactType.i64, id: 3, last: &span)
        w.i64(-1)
        fields(&w, &span)
        w.stop()
        w.stop()
        w.stop()
        return w.buffer
    }

    @Test func unknownFieldsOfEveryTypeAreSkipped() throws {
        let bytes = Self.oneSpan { w, span in
            // Unknown fields: a double, a map<i32,list<bool>>, a set<binary>, a uuid, a byte, a bool, a long id jump.
            w.fieldHeader(type: CompactType.double, id: 40, last: &span)
            w.double(1.5)
            w.fieldHeader(type: CompactType.map, id: 41, last: &span)
            w.bytes([0x01, 0x59, 0x02, 0x21, 0x01, 0x02])
            w.fieldHeader(type: CompactType.set, id: 42, last: &span)
            w.listHeader(elementType: CompactType.binary, count: 2)
            w.string("a")
            w.string("bc")
            w.fieldHeader(type: CompactType.uuid, id: 43, last: &span)
            w.bytes([UInt8](repeating: 9, count: 16))
            w.fieldHeader(type: CompactType.byte, id: 44, last: &span)
            w.bytes([0x7F])
            w.fieldHeader(type: CompactType.boolTrue, id: 300, last: &span)
            w.fieldHeader(type: CompactType.binary, id: 5, last: &span)
            w.string("op")
        }
        let spans = try JaegerThriftDecoder.decodeEmitBatch(bytes).get()
        #expect(spans.count == 1)
        #expect(spans.first?.spanID.hex == "ffffffffffffffff")
        #expect(spans.first?.traceID.hex == "00000000000000000000000000000007")
        #expect(spans.first?.name == "op")
        #expect(spans.first?.service == "svc")
        #expect(spans.first?.parentID == nil && spans.first?.kind == .unspecified)
    }

    /// Writes `list<SpanRef>` as field 6: (refType, traceIdLow, spanId) each, traceIdHigh 0.
    static func references(_ refs: [(Int64, Int64, Int64)]) -> [UInt8] {
        oneSpan { w, span in
            w.fieldHeader(type: CompactType.list, id: 6, last: &span)
            w.listHeader(elementType: CompactType.struct, count: refs.count)
            for (type, trace, id) in refs {
                var last: Int16 = 0
                w.fieldHeader(type: CompactType.i32, id: 1, last: &last)
                w.i64(type)
                w.fieldHeader(type: CompactType.i64, id: 2, last: &last)
                w.i64(trace)
                w.fieldHeader(type: CompactType.i64, id: 4, last: &last)
                w.i64(id)
                w.stop()
            }
        }
    }

    @Test func parentFromReferencesWhenParentSpanIdIsZero() throws {
        func parent(_ refs: [(Int64, Int64, Int64)]) throws -> SpanID? {
            try JaegerThriftDecoder.decodeEmitBatch(Self.references(refs)).get().first?.parentID
        }
        // FOLLOWS_FROM (1) first, then CHILD_OF (0): CHILD_OF wins. Another trace's reference is ignored.
        #expect(try parent([(1, 7, 11), (0, 8, 12), (0, 7, 13)]) == SpanID(13))
        #expect(try parent([(1, 7, 11)]) == SpanID(11))
        #expect(try parent([(0, 8, 12)]) == nil)
        #expect(try parent([(0, 7, -2)]) == SpanID(0xFFFF_FFFF_FFFF_FFFE))
    }

    @Test func logNamesBinaryTagsAndUnknownTagTypes() throws {
        let bytes = Self.oneSpan { w, span in
            w.fieldHeader(type: CompactType.list, id: 10, last: &span)
            w.listHeader(elementType: CompactType.struct, count: 2)
            var tag: Int16 = 0
            w.fieldHeader(type: CompactType.binary, id: 1, last: &tag)
            w.string("blob")
            w.fieldHeader(type: CompactType.i32, id: 2, last: &tag)
            w.i64(4)
            w.fieldHeader(type: CompactType.binary, id: 7, last: &tag)
            w.bytes([0x02, 0xDE, 0xAD])
            w.stop()
            tag = 0
            w.fieldHeader(type: CompactType.binary, id: 1, last: &tag)
            w.string("odd")
            w.fieldHeader(type: CompactType.i32, id: 2, last: &tag)
            w.i64(9)
            w.fieldHeader(type: CompactType.i64, id: 6, last: &tag)
            w.i64(-5)
            w.stop()
        }
        let span = try #require(try JaegerThriftDecoder.decodeEmitBatch(bytes).get().first)
        #expect(span.attributes == [Attribute("blob", .string("dead")), Attribute("odd", .int(-5))])
        let fields = [Attribute("message", .string("m")), Attribute("event", .string("e")), Attribute("k", .int(1))]
        #expect(
            JaegerThriftDecoder.event(time: 3, fields: fields)
                == SpanEvent(
                    timeMicros: 3, name: "e", attributes: [Attribute("message", .string("m")), Attribute("k", .int(1))])
        )
        #expect(JaegerThriftDecoder.event(time: 3, fields: [Attribute("k", .int(1))]).name == "log")
    }

    @Test func microsecondRoundingMatchesTheExporters() {
        #expect(SpanDecoding.micros(nanos: 1_499) == 1)
        #expect(SpanDecoding.micros(nanos: 1_500) == 2)
        #expect(SpanDecoding.micros(nanos: 1_795_733_245_727_774_500) == 1_795_733_245_727_775)
        #expect(SpanDecoding.micros(nanos: 0) == 0 && SpanDecoding.micros(nanos: -7) == 0)
        #expect(SpanDecoding.micros(nanos: .max) == Int64.max / 1000 + 1)
    }
}
