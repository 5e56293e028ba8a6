/// A span whose parent this collector did not see within the parent wait. With several collectors on one store
/// (docs/scaling.md, "Edges across collectors") its parent may have reached another collector: the governance
/// leader joins the two in the shared store and counts the call on their edge.
public struct UnmatchedChild: Hashable, Sendable {
    public var traceID: TraceID
    public var parentID: SpanID
    public var service: String
    public var kind: SpanKind
    public var isError: Bool
    public var endMicros: Int64
    public var durationMicros: Int64

    public init(
        traceID: TraceID, parentID: SpanID, service: String, kind: SpanKind, isError: Bool, endMicros: Int64,
        durationMicros: Int64
    ) {
        self.traceID = traceID
        self.parentID = parentID
        self.service = service
        self.kind = kind
        self.isError = isError
        self.endMicros = endMicros
        self.durationMicros = durationMicros
    }
}

/// One call found by joining an unmatched child with its parent span, stored by another collector: the parent's
/// service calls the child's. Timed and judged as a collector that saw both spans would have (the child's end and
/// duration; failed when the child failed or the parent is a failed client span).
public struct JoinedCall: Hashable, Sendable {
    public var caller: String
    public var callee: String
    public var endMicros: Int64
    public var durationMicros: Int64
    public var failed: Bool

    public init(caller: String, callee: String, endMicros: Int64, durationMicros: Int64, failed: Bool) {
        self.caller = caller
        self.callee = callee
        self.endMicros = endMicros
        self.durationMicros = durationMicros
        self.failed = failed
    }
}
