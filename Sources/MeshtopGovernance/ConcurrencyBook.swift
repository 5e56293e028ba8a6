import MeshtopModel

/// In-flight requests per service, measured on event time by a sweep over the requests' start and end events.
///
/// Requests arrive when they end, in any order, so each service buffers the requests not yet swept; a tick
/// sweeps every service up to a cutoff (`GovernanceConfig.concurrencyLatenessMicros` behind the clock) in time
/// order, ends before starts at the same microsecond (a request is in flight over `[start, end)`), adding the time
/// spent at each level to the minute's `InFlightLevels`. A request that arrives once the sweep has passed its start
/// counts from the sweep position on (`lateInFlight`); one that ended before it is not counted. Minutes where a
/// service had nothing in flight at all are skipped (no row). Cost: O(log n) per request (the sort of each tick's
/// new requests and a heap of the running ones' ends).
struct ConcurrencyBook {
    /// One service's sweep. A class (one dictionary lookup per request), whose state the tick moves into a local
    /// struct while sweeping: no exclusivity checks or copies per event.
    final class Sweep {
        var state = SweepState()
    }

    struct SweepState {
        /// Requests not yet swept in, as (start, end).
        var incoming: [(start: Int64, end: Int64)] = []
        /// Ends of the requests in flight at `position`.
        var running = MinHeap()
        /// Swept up to here (never decreases); nil before the first request.
        var position: Int64?
        /// The minute being measured; nil while idle (nothing in flight, minute closed).
        var minute: Int64?
        var levels = InFlightLevels()
        var lastActivity: Int64 = 0
    }

    static let minuteMicros: Int64 = 60_000_000

    var sweeps: [String: Sweep] = [:]
    var late: Int64 = 0

    @inline(__always)
    mutating func add(service: String, start: Int64, end: Int64) {
        guard end > start else { return }
        if let s = sweeps[service] {
            s.state.incoming.append((start, end))
        } else {
            let s = Sweep()
            s.state.incoming.append((start, end))
            sweeps[service] = s
        }
    }

    /// Sweeps every service up to `cutoff` and returns the minutes measured (closed ones and the open one).
    /// Services idle since before `forgetBefore` are forgotten.
    mutating func sweep(upTo cutoff: Int64, forgetBefore: Int64) -> [ServiceConcurrency] {
        var out: [ServiceConcurrency] = []
        var forget: [String] = []
        for (service, sweep) in sweeps {
            var s = sweep.state
            sweep.state = SweepState()  // the local copy is the only owner of the arrays while sweeping
            late += Self.sweep(&s, service: service, upTo: cutoff, into: &out)
            if s.minute == nil, s.incoming.isEmpty, s.lastActivity < forgetBefore { forget.append(service) }
            sweep.state = s
        }
        for f in forget { sweeps[f] = nil }
        out.sort { ($0.minuteMicros, $0.service) < ($1.minuteMicros, $1.service) }
        return out
    }

    /// Returns the number of late requests.
    private static func sweep(
        _ s: inout SweepState, service: String, upTo cutoff: Int64, into out: inout [ServiceConcurrency]
    ) -> Int64 {
        if let p = s.position, cutoff <= p { return 0 }
        var late: Int64 = 0
        var ready = 0
        if !s.incoming.isEmpty {
            s.incoming.sort { $0.start < $1.start }
            while ready < s.incoming.count, s.incoming[ready].start < cutoff { ready += 1 }
        }
        if s.minute == nil {
            // Idle: open the minute of the first request due, from the position at the earliest.
            guard ready > 0 else { return 0 }
            let from = max(s.incoming[0].start, s.position ?? Int64.min)
            let m = Minute.floor(from)
            s.minute = m
            s.position = max(m, s.position ?? m)
        }
        var i = 0
        while true {
            let nextStart = i < ready ? max(s.incoming[i].start, s.position!) : Int64.max
            let nextEnd = s.running.min ?? Int64.max
            let t = min(nextStart, nextEnd, cutoff)
            if !advance(&s, service: service, to: t, nextStart: nextStart, into: &out) { break }
            if t >= cutoff && nextEnd >= cutoff && nextStart >= cutoff { break }
            if nextEnd <= nextStart {
                _ = s.running.popMin()
            } else {
                let r = s.incoming[i]
                i += 1
                if r.end <= s.position! {
                    late += 1
                } else {
                    if r.start < s.position! { late += 1 }
                    s.running.push(r.end)
                    s.lastActivity = max(s.lastActivity, r.end)
                }
            }
        }
        if i > 0 { s.incoming.removeFirst(i) }
        if let m = s.minute { out.append(row(s, service: service, minute: m)) }
        return late
    }

    /// Moves the sweep to `t`, closing the minutes it passes. Returns false when the service went idle (nothing in
    /// flight, its minute closed, no request due before `t` in a later minute): the sweep stops there.
    private static func advance(
        _ s: inout SweepState, service: String, to t: Int64, nextStart: Int64, into out: inout [ServiceConcurrency]
    ) -> Bool {
        guard var m = s.minute, var p = s.position else { return false }
        let level = s.running.count
        while t >= m + minuteMicros {
            s.levels.add(level: level, micros: m + minuteMicros - p)
            out.append(row(s, service: service, minute: m))
            s.levels = InFlightLevels()
            m += minuteMicros
            p = m
            if level == 0 {
                // Nothing in flight: skip to the minute of the next request, or go idle.
                guard nextStart != Int64.max else {
                    s.minute = nil
                    s.position = p
                    return false
                }
                let next = Minute.floor(nextStart)
                if next > m {
                    m = next
                    p = m
                }
            }
        }
        s.levels.add(level: level, micros: t - p)
        s.minute = m
        s.position = max(p, t)
        return true
    }

    private static func row(_ s: SweepState, service: String, minute: Int64) -> ServiceConcurrency {
        ServiceConcurrency(
            minuteMicros: minute, service: service, maxInFlight: s.levels.maxLevel,
            p99InFlight: s.levels.percentile(99), levels: s.levels.encode())
    }
}

/// A binary min-heap of times.
struct MinHeap {
    private var items: [Int64] = []

    var count: Int { items.count }
    var min: Int64? { items.first }

    mutating func push(_ v: Int64) {
        items.append(v)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[parent] > items[i] else { break }
            items.swapAt(parent, i)
            i = parent
        }
    }

    mutating func popMin() -> Int64? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1
                let r = l + 1
                var smallest = i
                if l < items.count, items[l] < items[smallest] { smallest = l }
                if r < items.count, items[r] < items[smallest] { smallest = r }
                if smallest == i { break }
                items.swapAt(i, smallest)
                i = smallest
            }
        }
        return top
    }
}
