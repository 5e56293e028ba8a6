import MeshtopModel

/// The three OTLP signals, named as in the OTLP/HTTP paths (`/v1/traces`, `/v1/logs`, `/v1/metrics`).
public enum OTLPSignal: String, Sendable, CaseIterable {
    case traces, logs, metrics
}

/// How an OTLP/HTTP body is encoded: `application/x-protobuf` or `application/json` (the OTLP JSON mapping).
public enum OTLPEncoding: Sendable, Hashable {
    case protobuf, json
}

/// What one export request decoded to. OTLP's partial success: items that could not be used are counted in
/// `rejected` (by reason in `rejectReasons`), the others are kept in `records`.
public struct OTLPDecoded: Sendable, Hashable {
    /// Spans, logs or metric samples only; never `.rejected` (rejections are counted below instead).
    public var records: [Decoded]
    /// Spans, log records or metric data points rejected: the `rejected_*` count of the partial-success answer.
    public var rejected: Int
    public var rejectReasons: [RejectReason: Int]
    /// The partial-success `error_message`, nil when nothing was rejected.
    public var message: String?

    public init(
        records: [Decoded] = [], rejected: Int = 0, rejectReasons: [RejectReason: Int] = [:], message: String? = nil
    ) {
        self.records = records
        self.rejected = rejected
        self.rejectReasons = rejectReasons
        self.message = message
    }

    mutating func reject(_ reason: RejectReason, count: Int = 1) {
        guard count > 0 else { return }
        rejected += count
        rejectReasons[reason, default: 0] += count
    }

    /// Sets `message` from the reject counts: "rejected 2 spans: invalid_span_id 1, invalid_trace_id 1".
    mutating func finish(noun: String) {
        guard rejected > 0 else { return }
        let reasons = rejectReasons.sorted { $0.key.rawValue < $1.key.rawValue }
            .map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")
        message = "rejected \(rejected) \(noun): \(reasons)"
    }
}

/// Why a request body could not be decoded at all. The OTLP/HTTP server answers 400 with a `google.rpc.Status`
/// whose message is `description`; the Zipkin receiver answers 400.
public enum OTLPDecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not a protobuf encoding of the expected message (truncated, random bytes, nested too deeply); the
    /// associated text is SwiftProtobuf's reason.
    case protobuf(message: String, reason: String)
    /// Not OTLP/JSON for the expected message (syntax, wrong types, nested too deeply).
    case json(message: String, reason: String)

    public var description: String {
        switch self {
        case .protobuf(let message, let reason):
            return "the body is not a protobuf \(message) (\(reason)); send the message the path names, "
                + "with Content-Type application/x-protobuf"
        case .json(let message, let reason):
            return "the body is not an OTLP/JSON \(message) (\(reason)); ids must be hex strings, "
                + "see the OTLP JSON mapping"
        }
    }
}
