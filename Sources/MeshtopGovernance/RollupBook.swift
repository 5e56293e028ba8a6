import MeshtopModel

/// Running totals of one service or edge over one minute.
final class MinuteAccumulator {
    let minuteMicros: Int64
    let apdexTMicros: Int64
    var requests: Int64 = 0
    var errors: Int64 = 0
    var sumMicros: Int64 = 0
    var maxMicros: Int64 = 0
    var satisfied: Int64 = 0
    var tolerating: Int64 = 0
    /// The histogram while the minute is open; nil once frozen into `frozen`.
    private(set) var live: LatencyHistogram? = LatencyHistogram()
    private var frozen: [UInt8] = []
    /// `live` encoded, until the next `add`.
    private var cached: [UInt8]?
    var dirty = false

    init(minuteMicros: Int64, apdexTMicros: Int64) {
        self.minuteMicros = minuteMicros
        self.apdexTMicros = apdexTMicros
    }

    /// The encoded histogram (cached until the next `add`).
    func encoded() -> [UInt8] {
        guard let l = live else { return frozen }
        if let c = cached { return c }
        let blob = l.encode()
        cached = blob
        return blob
    }

    /// Keeps only the compact encoding (a few hundred bytes instead of the full counts array).
    func freeze() {
        guard live != nil else { return }
        frozen = encoded()
        live = nil
        cached = nil
    }

    @inline(__always)
    func add(durationMicros d: Int64, isError: Bool) {
        requests += 1
        if isError { errors += 1 }
        sumMicros += d
        if d > maxMicros { maxMicros = d }
        switch Apdex.zone(durationMicros: d, tMicros: apdexTMicros) {
        case 2: satisfied += 1
        case 1: tolerating += 1
        default: break
        }
        if live == nil { live = LatencyHistogram(decoding: frozen) ?? LatencyHistogram() }
        cached = nil
        live!.record(d)
    }
}

struct ServiceMinuteKey: Hashable, Sendable {
    var minute: Int64
    var service: String
}

/// A caller → callee pair.
public struct EdgeKey: Hashable, Sendable, Comparable {
    public var caller: String
    public var callee: String

    public init(caller: String, callee: String) {
        self.caller = caller
        self.callee = callee
    }

    public static func < (a: EdgeKey, b: EdgeKey) -> Bool { (a.caller, a.callee) < (b.caller, b.callee) }
}

struct EdgeMinuteKey: Hashable, Sendable {
    var minute: Int64
    var edge: EdgeKey
}

/// Per-minute service and edge accumulators (minute = the minute holding the span's END time), kept for
/// `retainMicros` behind the watermark so late spans still land in their minute and alert windows can merge
/// them; each tick emits the ones that changed (upsert: the current minute is re-emitted as it grows).
struct RollupBook {
    var services: [ServiceMinuteKey: MinuteAccumulator] = [:]
    var edges: [EdgeMinuteKey: MinuteAccumulator] = [:]
    private var dirtyServices: [ServiceMinuteKey] = []
    private var dirtyEdges: [EdgeMinuteKey] = []
    /// Minutes before this are frozen at the next `drainChanged`.
    var freezeBefore = Int64.min
    private var lastSweptMinute: Int64?

    mutating func addRequest(service: String, endMicros: Int64, durationMicros: Int64, isError: Bool, apdexT: Int64) {
        let key = ServiceMinuteKey(minute: Minute.floor(endMicros), service: service)
        let acc: MinuteAccumulator
        if let a = services[key] {
            acc = a
        } else {
            acc = MinuteAccumulator(minuteMicros: key.minute, apdexTMicros: apdexT)
            services[key] = acc
        }
        acc.add(durationMicros: durationMicros, isError: isError)
        if !acc.dirty {
            acc.dirty = true
            dirtyServices.append(key)
        }
    }

    mutating func addCall(_ edge: EdgeKey, endMicros: Int64, durationMicros: Int64, isError: Bool) {
        let key = EdgeMinuteKey(minute: Minute.floor(endMicros), edge: edge)
        let acc: MinuteAccumulator
        if let a = edges[key] {
            acc = a
        } else {
            acc = MinuteAccumulator(minuteMicros: key.minute, apdexTMicros: 0)
            edges[key] = acc
        }
        acc.add(durationMicros: durationMicros, isError: isError)
        if !acc.dirty {
            acc.dirty = true
            dirtyEdges.append(key)
        }
    }

    /// The rollups changed since the last call.
    mutating func drainChanged() -> ([ServiceRollup], [EdgeRollup]) {
        var s: [ServiceRollup] = []
        s.reserveCapacity(dirtyServices.count)
        for k in dirtyServices {
            guard let a = services[k] else { continue }
            a.dirty = false
            let blob = a.encoded()
            if k.minute < freezeBefore { a.freeze() }
            s.append(
                ServiceRollup(
                    minuteMicros: k.minute, service: k.service, requests: a.requests, errors: a.errors,
                    sumMicros: a.sumMicros, maxMicros: a.maxMicros, satisfied: a.satisfied, tolerating: a.tolerating,
                    histogram: blob))
        }
        var e: [EdgeRollup] = []
        e.reserveCapacity(dirtyEdges.count)
        for k in dirtyEdges {
            guard let a = edges[k] else { continue }
            a.dirty = false
            let blob = a.encoded()
            if k.minute < freezeBefore { a.freeze() }
            e.append(
                EdgeRollup(
                    minuteMicros: k.minute, caller: k.edge.caller, callee: k.edge.callee, calls: a.requests,
                    errors: a.errors, sumMicros: a.sumMicros, maxMicros: a.maxMicros, histogram: blob))
        }
        dirtyServices.removeAll(keepingCapacity: true)
        dirtyEdges.removeAll(keepingCapacity: true)
        s.sort { ($0.minuteMicros, $0.service) < ($1.minuteMicros, $1.service) }
        e.sort { ($0.minuteMicros, $0.caller, $0.callee) < ($1.minuteMicros, $1.caller, $1.callee) }
        return (s, e)
    }

    /// Freezes minutes before `freezeBefore` that are still open, and forgets minutes that ended more than
    /// `retainMicros` before the watermark (after they were emitted).
    mutating func expire(watermark: Int64, retainMicros: Int64) {
        if lastSweptMinute != freezeBefore {
            for a in services.values where a.minuteMicros < freezeBefore && !a.dirty { a.freeze() }
            for a in edges.values where a.minuteMicros < freezeBefore && !a.dirty { a.freeze() }
            lastSweptMinute = freezeBefore
        }
        let cutoff = Minute.floor(watermark - retainMicros)
        if services.keys.contains(where: { $0.minute < cutoff }) {
            services = services.filter { $0.key.minute >= cutoff || $0.value.dirty }
        }
        if edges.keys.contains(where: { $0.minute < cutoff }) {
            edges = edges.filter { $0.key.minute >= cutoff || $0.value.dirty }
        }
    }

    /// Merged totals of one service over the minutes in `[fromMinute, toMinute]`, with the minutes' encoded
    /// histograms when `histograms` is set.
    func window(service: String, fromMinute: Int64, toMinute: Int64, histograms: Bool) -> WindowTotals {
        WindowTotals(from: fromMinute, to: toMinute, histograms: histograms) {
            services[ServiceMinuteKey(minute: $0, service: service)]
        }
    }

    /// Merged totals of one edge over the minutes in `[fromMinute, toMinute]` (see `window(service:…)`).
    func window(edge: EdgeKey, fromMinute: Int64, toMinute: Int64, histograms: Bool) -> WindowTotals {
        WindowTotals(from: fromMinute, to: toMinute, histograms: histograms) {
            edges[EdgeMinuteKey(minute: $0, edge: edge)]
        }
    }
}

/// Accumulators merged over an alert window.
struct WindowTotals {
    var requests: Int64 = 0
    var errors: Int64 = 0
    var satisfied: Int64 = 0
    var tolerating: Int64 = 0
    /// The minutes' accumulators (when histograms are asked for).
    var minutes: [MinuteAccumulator] = []

    /// Sums the accumulators `lookup` finds for each minute start in `[from, to]`.
    init(from: Int64, to: Int64, histograms: Bool, lookup: (Int64) -> MinuteAccumulator?) {
        var m = from
        while m <= to {
            if let a = lookup(m) {
                requests += a.requests
                errors += a.errors
                satisfied += a.satisfied
                tolerating += a.tolerating
                if histograms { minutes.append(a) }
            }
            m += 60_000_000
        }
    }

    /// The `p` percentile of the minutes' latencies: from the open minutes' histograms when none is frozen, else
    /// from the encoded ones (the same answer either way).
    func percentile(_ p: Double) -> Int64? {
        let live = minutes.compactMap(\.live)
        if live.count == minutes.count { return LatencyHistogram.percentile(of: live, p) }
        return LatencyHistogram.percentile(ofEncoded: minutes.map { $0.encoded() }, p)
    }
}
