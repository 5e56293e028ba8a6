import MeshtopModel

/// Decodes one JSON object per line as a log record, with the aliases of `LogFields` (SPEC §2).
///
/// Decisions where the SPEC is silent:
/// - no time field → the receive time; no level → info; no service → `"unknown"`; no host → the source host;
/// - no message field → the whole line is the message (so nothing is lost in the console);
/// - `null` fields are dropped; nested objects/arrays become map/array attributes.
/// A line that is not a JSON object (an array, a scalar) is rejected as `.jsonLog`; a line that is not JSON
/// as `.json` (or `.tooDeep` / `.invalidUTF8`).
public enum JSONLogDecoder {
    /// The service used when the line names none.
    public static let unknownService = "unknown"

    /// Decodes one line, appending one `.log`; returns the rejection reason otherwise.
    public static func decode(
        line: UnsafeRawBufferPointer, context: DecodeContext, into out: inout [Decoded]
    ) -> RejectReason? {
        switch JSONParser.parse(line) {
        case .failure(let e): return reason(e)
        case .success(let value):
            guard let record = record(value, line: line, context: context) else { return .jsonLog }
            out.append(.log(record))
            return nil
        }
    }

    /// The record for an already parsed object; nil when `value` is not an object.
    public static func record(_ value: JSONValue, line: UnsafeRawBufferPointer, context: DecodeContext) -> LogRecord? {
        guard let fields = fields(value) else { return nil }
        return fields.record(
            defaultTime: context.receivedAtMicros, defaultService: unknownService, defaultHost: context.sourceHost,
            defaultMessage: String(decoding: line, as: UTF8.self))
    }

    /// The fields of a JSON object, aliases recognised; nil when `value` is not an object.
    static func fields(_ value: JSONValue) -> LogFields? {
        guard case .object(let members) = value else { return nil }
        var fields = LogFields()
        for m in members {
            guard let v = LogFields.attribute(m.value) else { continue }
            fields.add(m.key, v)
        }
        return fields
    }

    /// The rejection reason for a JSON parse error.
    static func reason(_ e: JSONParseError) -> RejectReason {
        switch e {
        case .invalidUTF8: return .invalidUTF8
        case .tooDeep: return .tooDeep
        case .syntax: return .json
        }
    }
}
