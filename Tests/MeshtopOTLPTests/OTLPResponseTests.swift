import Foundation
import MeshtopOTLP
import MeshtopOTLPProto
import Testing

@Suite struct OTLPResponseTests {
    @Test func fullSuccessIsEmpty() throws {
        #expect(OTLPResponse.success(.traces, rejected: 0, message: nil, encoding: .protobuf).isEmpty)
        #expect(
            String(decoding: OTLPResponse.success(.logs, rejected: 0, message: nil, encoding: .json), as: UTF8.self)
                == "{}")
    }

    @Test func partialSuccess() throws {
        let pb = OTLPResponse.success(.traces, rejected: 3, message: "rejected 3 spans", encoding: .protobuf)
        let r = try Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse(serializedBytes: pb)
        #expect(r.partialSuccess.rejectedSpans == 3)
        #expect(r.partialSuccess.errorMessage == "rejected 3 spans")
        let json = OTLPResponse.success(.metrics, rejected: 2, message: "m", encoding: .json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        let partial = try #require(object["partialSuccess"] as? [String: Any])
        #expect(partial["rejectedDataPoints"] as? String == "2")
        #expect(partial["errorMessage"] as? String == "m")
        let logs = try Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceResponse(
            serializedBytes: OTLPResponse.success(.logs, rejected: 1, message: nil, encoding: .protobuf))
        #expect(logs.partialSuccess.rejectedLogRecords == 1)
    }

    @Test func status() throws {
        let pb = OTLPResponse.status(code: 3, message: "bad body", encoding: .protobuf)
        let s = try Google_Rpc_Status(serializedBytes: pb)
        #expect(s.code == 3)
        #expect(s.message == "bad body")
        let json = String(decoding: OTLPResponse.status(code: 3, message: "bad body", encoding: .json), as: UTF8.self)
        #expect(json == #"{"code":3,"message":"bad body"}"#)
    }
}
