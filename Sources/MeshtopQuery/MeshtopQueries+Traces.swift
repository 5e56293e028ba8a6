import MeshtopModel
import MeshtopStore

extension MeshtopQueries {
    /// Jaeger-style search: traces having a span in the window that matches every filter (service, operation,
    /// all tags, duration bounds, error), newest matching span first. The summary covers the whole trace; its
    /// root is the span without a parent in the trace (else the earliest span).
    public func traces(_ search: TraceSearch) throws -> [TraceSummary] {
        try reader.traceSpans(search).compactMap { Self.summary($0.map(\.span)) }
    }

    static func summary(_ spans: [Span]) -> TraceSummary? {
        guard let first = spans.first else { return nil }
        let ids = Set(spans.map(\.spanID))
        let root = spans.first { span in span.parentID.map { !ids.contains($0) } ?? true } ?? first
        var services: [String] = []
        var start = Int64.max
        var end = Int64.min
        var error = false
        for span in spans {
            if !services.contains(span.service) { services.append(span.service) }
            start = min(start, span.startMicros)
            end = max(end, span.startMicros + span.durationMicros)
            if span.isError { error = true }
        }
        return TraceSummary(
            traceID: first.traceID, rootService: root.service, rootOperation: root.name, startMicros: start,
            durationMicros: end - start, spanCount: spans.count, services: services.sorted(), error: error)
    }

    /// One trace by full id or unique hex prefix (a 16-digit id also finds a zero-extended 64-bit trace id).
    /// nil when none matches; `QueryError.ambiguous` when a prefix matches several traces.
    public func trace(idOrPrefix: String) throws -> TraceDetail? {
        let hex = idOrPrefix.trimmingWhitespace().lowercased()
        guard !hex.isEmpty, hex.count <= 32, TraceID.databaseBlobRange(hexPrefix: hex) != nil else {
            throw QueryError.invalidArgument(
                "'\(Sanitizer.escape(idOrPrefix))' is not a trace id: give 1 to 32 hex digits")
        }
        switch try reader.trace(hexPrefix: hex) {
        case .none: return nil
        case .ambiguous(let matches): throw QueryError.ambiguous(prefix: hex, matches: matches)
        case .found(let traceID, let spans, let logs): return TraceDetail(traceID: traceID, spans: spans, logs: logs)
        }
    }
}
