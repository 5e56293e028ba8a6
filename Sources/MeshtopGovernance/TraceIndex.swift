import DequeModule
import MeshtopModel

/// A span as the topology needs it after it has been seen: who owns it and whether it already counted as a call.
struct SpanNode: Sendable {
    var service: String
    var kind: SpanKind
    var isError: Bool
    /// A CLIENT/PRODUCER span that named its peer and so was counted as the call itself.
    var countedAsCall: Bool
    var endMicros: Int64
}

/// The part of a span kept while it waits for its parent.
struct WaitingChild: Sendable {
    var key: SpanKey
    /// The parent it waits for (zero when it has none).
    var parent: SpanID
    var service: String
    var kind: SpanKind
    var isError: Bool
    var endMicros: Int64
    var durationMicros: Int64

    init(_ s: Span) {
        key = SpanKey(trace: s.traceID, span: s.spanID)
        parent = s.parentID ?? SpanID(0)
        service = s.service
        kind = s.kind
        isError = s.isError
        endMicros = s.endMicros
        durationMicros = s.durationMicros
    }
}

struct SpanKey: Hashable, Sendable {
    var trace: TraceID
    var span: SpanID
}

/// Counters describing the span buffer.
public struct TraceIndexStats: Sendable, Hashable {
    /// Spans remembered for parent lookups.
    public var bufferedSpans: Int
    /// Spans waiting for a parent that has not arrived yet.
    public var waitingSpans: Int
    /// Remembered spans dropped because the buffer was full (not by age).
    public var evictedSpans: Int64
    /// Waiting spans given up on because the wait buffer was full (resolved as "parent absent").
    public var evictedWaiting: Int64
    /// Waiting spans whose parent never came within the wait (resolved as "parent absent").
    public var parentTimeouts: Int64
}

/// A bounded memory of recent spans (span id → service), so that children can be matched with parents that
/// arrive later, in another datagram or from another service. Entries leave by age (event time: older than
/// `retainMicros` behind the watermark) or, when the buffer is full, oldest first (counted as evictions).
struct TraceIndex {
    let maxSpans: Int
    let maxWaiting: Int
    let retainMicros: Int64
    let parentWaitMicros: Int64

    private var nodes: [SpanKey: SpanNode] = [:]
    private var order = Deque<(SpanKey, Int64)>()
    private var waiting: [SpanKey: [WaitingChild]] = [:]
    private var waitOrder = Deque<(parent: SpanKey, deadline: Int64)>()
    private(set) var waitingCount = 0
    private(set) var evictedSpans: Int64 = 0
    private(set) var evictedWaiting: Int64 = 0
    private(set) var parentTimeouts: Int64 = 0

    init(maxSpans: Int, maxWaiting: Int, retainMicros: Int64, parentWaitMicros: Int64) {
        self.maxSpans = maxSpans
        self.maxWaiting = maxWaiting
        self.retainMicros = retainMicros
        self.parentWaitMicros = parentWaitMicros
        // Reserved up front: growing a large dictionary rehashes everything (and dominated ingest cost).
        nodes.reserveCapacity(maxSpans)
    }

    var stats: TraceIndexStats {
        TraceIndexStats(
            bufferedSpans: nodes.count, waitingSpans: waitingCount, evictedSpans: evictedSpans,
            evictedWaiting: evictedWaiting, parentTimeouts: parentTimeouts)
    }

    func node(_ key: SpanKey) -> SpanNode? { nodes[key] }

    /// Remembers a span; returns the children that were waiting for it (removed from the wait list).
    mutating func insert(_ key: SpanKey, _ node: SpanNode) -> [WaitingChild] {
        if nodes.updateValue(node, forKey: key) == nil {
            order.append((key, node.endMicros))
        }
        while nodes.count > maxSpans, let (k, _) = order.popFirst() {
            if nodes.removeValue(forKey: k) != nil { evictedSpans += 1 }
        }
        guard !waiting.isEmpty, let children = waiting.removeValue(forKey: key) else { return [] }
        waitingCount -= children.count
        return children
    }

    /// Parks a child until its parent arrives or the wait runs out. Returns children pushed out by a full wait
    /// buffer, to be resolved as having no parent.
    mutating func wait(for parent: SpanKey, child: WaitingChild) -> [WaitingChild] {
        waiting[parent, default: []].append(child)
        waitingCount += 1
        waitOrder.append((parent, child.endMicros + parentWaitMicros))
        var dropped: [WaitingChild] = []
        while waitingCount > maxWaiting, let (p, _) = waitOrder.popFirst() {
            if let cs = waiting.removeValue(forKey: p) {
                waitingCount -= cs.count
                evictedWaiting += Int64(cs.count)
                dropped.append(contentsOf: cs)
            }
        }
        return dropped
    }

    /// Forgets spans older than the retention and returns waiting children whose wait is over.
    mutating func expire(watermark: Int64) -> [WaitingChild] {
        while let (k, end) = order.first, end < watermark - retainMicros {
            _ = order.popFirst()
            if let n = nodes[k], n.endMicros == end { nodes.removeValue(forKey: k) }
        }
        var expired: [WaitingChild] = []
        while let (p, deadline) = waitOrder.first, deadline < watermark {
            _ = waitOrder.popFirst()
            guard var cs = waiting[p] else { continue }
            let due = cs.filter { $0.endMicros + parentWaitMicros < watermark }
            guard !due.isEmpty else { continue }
            cs.removeAll { $0.endMicros + parentWaitMicros < watermark }
            waiting[p] = cs.isEmpty ? nil : cs
            waitingCount -= due.count
            parentTimeouts += Int64(due.count)
            expired.append(contentsOf: due)
        }
        return expired
    }
}
