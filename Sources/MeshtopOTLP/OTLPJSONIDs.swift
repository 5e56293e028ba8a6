import Foundation
import MeshtopModel

/// OTLP/JSON writes trace and span ids as hex strings where the proto3 JSON mapping (and so SwiftProtobuf) reads
/// `bytes` as base64 (OTLP specification, "JSON Protobuf Encoding"). This pass rewrites the values of the id
/// fields — `traceId`, `spanId`, `parentSpanId` and their proto names `trace_id`, `span_id`, `parent_span_id` —
/// from hex to base64, copying everything else byte for byte, so the generated messages can decode the rest.
///
/// Only a string followed by `:` is a key in valid JSON, so attribute values that happen to read `traceId` are not
/// touched. An empty id stays empty (absent). A value that is not hex (odd length, other characters, escapes)
/// becomes one 0xFF byte, an id of the wrong length that the decoder then rejects on its own, instead of failing
/// the whole request.
enum OTLPJSONIDs {
    private static let keys: Set<[UInt8]> = Set(
        ["traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id"].map { Array($0.utf8) })
    private static let quote = UInt8(ascii: "\"")
    private static let backslash = UInt8(ascii: "\\")
    private static let colon = UInt8(ascii: ":")

    static func hexToBase64(_ json: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(json.count)
        var i = 0
        // The last token was a string that names an id field; then that plus a colon.
        var afterIDKey = false
        var expectIDValue = false
        while i < json.count {
            let c = json[i]
            if c == quote {
                let start = i + 1
                var j = start
                var escaped = false
                while j < json.count, json[j] != quote {
                    if json[j] == backslash {
                        escaped = true
                        j += 1
                    }
                    j += 1
                }
                let end = Swift.min(j, json.count)
                if expectIDValue {
                    out.append(quote)
                    out += base64(escaped ? nil : hexBytes(json[start..<end]))
                    out.append(quote)
                    afterIDKey = false
                } else {
                    out += json[i..<Swift.min(j + 1, json.count)]
                    afterIDKey = !escaped && keys.contains(Array(json[start..<end]))
                }
                expectIDValue = false
                i = j + 1
                continue
            }
            switch c {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                break
            case colon:
                expectIDValue = afterIDKey
                afterIDKey = false
            default:
                afterIDKey = false
                expectIDValue = false
            }
            out.append(c)
            i += 1
        }
        return out
    }

    /// The bytes of an even-length hex string; nil when it is not one. Empty gives empty.
    private static func hexBytes(_ hex: ArraySlice<UInt8>) -> [UInt8]? {
        guard hex.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(hex.count / 2)
        var i = hex.startIndex
        while i < hex.endIndex {
            guard let h = HexParsing.nibble(hex[i]), let l = HexParsing.nibble(hex[i + 1]) else { return nil }
            out.append(UInt8(h << 4 | l))
            i += 2
        }
        return out
    }

    private static func base64(_ bytes: [UInt8]?) -> [UInt8] {
        Array(Data(bytes ?? [0xFF]).base64EncodedString().utf8)
    }
}
