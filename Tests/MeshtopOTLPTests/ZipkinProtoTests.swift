import Foundation
import MeshtopModel
import MeshtopOTLP
import MeshtopOTLPProto
import MeshtopWire
import Testing

@Suite struct ZipkinProtoTests {
    /// The proto3 encoding of the spans OpenTelemetry's Zipkin JSON exporter sent (`zipkin-spans-*.json`), built
    /// field by field from that JSON.
    static func proto(of json: [[String: Any]]) throws -> Zipkin_Proto3_ListOfSpans {
        var list = Zipkin_Proto3_ListOfSpans()
        for j in json {
            var s = Zipkin_Proto3_Span()
            s.traceID = try #require(hex(j["traceId"] as? String))
            s.id = try #require(hex(j["id"] as? String))
            if let p = j["parentId"] as? String { s.parentID = try #require(hex(p)) }
            s.name = j["name"] as? String ?? ""
            s.kind = ["CLIENT": .client, "SERVER": .server][j["kind"] as? String ?? ""] ?? .spanKindUnspecified
            s.timestamp = try #require((j["timestamp"] as? NSNumber)?.uint64Value)
            s.duration = (j["duration"] as? NSNumber)?.uint64Value ?? 0
            s.localEndpoint.serviceName = (j["localEndpoint"] as? [String: Any])?["serviceName"] as? String ?? ""
            s.tags = j["tags"] as? [String: String] ?? [:]
            for a in j["annotations"] as? [[String: Any]] ?? [] {
                var ann = Zipkin_Proto3_Annotation()
                ann.timestamp = try #require((a["timestamp"] as? NSNumber)?.uint64Value)
                ann.value = a["value"] as? String ?? ""
                s.annotations.append(ann)
            }
            list.spans.append(s)
        }
        return list
    }

    static func hex(_ s: String?) -> Data? {
        guard let s, s.count % 2 == 0 else { return nil }
        var out = Data()
        var i = s.startIndex
        while i < s.endIndex {
            let j = s.index(i, offsetBy: 2)
            guard let b = UInt8(s[i..<j], radix: 16) else { return nil }
            out.append(b)
            i = j
        }
        return out
    }

    @Test(arguments: ["zipkin-spans-1.json", "zipkin-spans-2.json"])
    func sameSpansAsTheJSONDecoder(fixture: String) throws {
        let body = try Fixture.bytes(fixture)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [[String: Any]])
        let fromProto = try ZipkinProtoDecoder.decode(try Self.proto(of: json).serializedBytes()).compactMap(\.span)
        let fromJSON = try ZipkinDecoder.decode(JSONParser.parse(String(decoding: body, as: UTF8.self)).get()).get()
        #expect(fromProto.count == 1)
        #expect(fromProto.count == fromJSON.count)
        for (p, j) in zip(fromProto, fromJSON) {
            var sortedJSON = j
            sortedJSON.attributes.sort { $0.key < $1.key }
            #expect(p == sortedJSON)
        }
    }

    @Test func serverSpanFields() throws {
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(Fixture.bytes("zipkin-spans-1.json"))) as? [[String: Any]])
        let s = try #require(try ZipkinProtoDecoder.decode(try Self.proto(of: json).serializedBytes()).first?.span)
        Fixture.expectServerSpan(s)
        #expect(s.events.map(\.name) == ["card declined"])
        #expect(
            s.events.first?.attributes == [Attribute("attempt", .int(2)), Attribute("card.brand", .string("visa"))])
    }

    /// 64-bit trace ids are zero-extended; bad ids reject their span only; a span without kind is internal.
    @Test func idsAndKinds() throws {
        var list = Zipkin_Proto3_ListOfSpans()
        var good = Zipkin_Proto3_Span()
        good.traceID = Data([0, 0, 0, 0, 0, 0, 0, 7])
        good.id = Data([0, 0, 0, 0, 0, 0, 0, 9])
        good.timestamp = 1_700_000_000_000_000
        var zeroTrace = good
        zeroTrace.traceID = Data(count: 16)
        var shortID = good
        shortID.id = Data([1, 2, 3])
        var noTimestamp = good
        noTimestamp.timestamp = 0
        list.spans = [good, zeroTrace, shortID, noTimestamp]
        let decoded = try ZipkinProtoDecoder.decode(try list.serializedBytes())
        #expect(decoded.count == 4)
        let s = try #require(decoded[0].span)
        #expect(s.traceID == TraceID(high: 0, low: 7))
        #expect(s.kind == .internal)
        #expect(s.service == "unknown")
        #expect(decoded[1] == .rejected(.invalidTraceID, sample: []))
        #expect(decoded[2] == .rejected(.invalidSpanID, sample: []))
        #expect(decoded[3] == .rejected(.zipkin, sample: []))
    }

    @Test func garbageThrows() {
        #expect(throws: OTLPDecodeError.self) { try ZipkinProtoDecoder.decode([0x0A, 0xFF, 0xFF, 0xFF]) }
    }
}
