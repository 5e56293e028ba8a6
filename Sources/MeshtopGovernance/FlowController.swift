import Foundation

/// Sentinel's second-level statistic (`StatisticNode.rollingCounterInSecond`): a `LeapArray` of 2 buckets of
/// 500 ms over a 1 s interval. `passQps` is the passes of the buckets not older than the interval — the current
/// half-second and the one before it.
struct PassWindow: Sendable, Hashable {
    static let bucketMs: Int64 = 500
    // Two buckets as plain fields (no array: a decision touches no heap storage).
    private var start0 = Int64.min
    private var start1 = Int64.min
    private var passes0: Int64 = 0
    private var passes1: Int64 = 0

    private static func start(_ ms: Int64) -> Int64 { ms - ((ms % bucketMs) + bucketMs) % bucketMs }
    private static func index(_ ms: Int64) -> Int { Int(((ms / bucketMs) % 2 + 2) % 2) }

    /// Passes in the buckets whose start is within 1 s before `nowMs` (LeapArray `isWindowDeprecated`).
    @inline(__always)
    func passQps(_ nowMs: Int64) -> Int64 {
        let oldest = nowMs - 2 * Self.bucketMs
        var n: Int64 = 0
        if start0 <= nowMs && start0 >= oldest { n += passes0 }
        if start1 <= nowMs && start1 >= oldest { n += passes1 }
        return n
    }

    @inline(__always)
    mutating func addPass(_ nowMs: Int64) {
        let s = Self.start(nowMs)
        if Self.index(nowMs) == 0 {
            Self.add(s, start: &start0, passes: &passes0)
        } else {
            Self.add(s, start: &start1, passes: &passes1)
        }
    }

    @inline(__always)
    private static func add(_ s: Int64, start: inout Int64, passes: inout Int64) {
        if start < s {
            start = s
            passes = 0
        } else if start > s {
            return  // an older call than the bucket in place: Sentinel counts it in a throwaway bucket
        }
        passes += 1
    }
}

/// Sentinel's minute-level pass counter as `WarmUpController` reads it (`previousPassQps`): the passes of the
/// whole second before the current one.
struct SecondCounter: Sendable, Hashable {
    private var second: Int64 = Int64.min
    private var passes: Int64 = 0
    private var previous: Int64 = 0

    func previousPasses(_ nowMs: Int64) -> Int64 {
        let s = Self.second(nowMs)
        if s == second { return previous }
        return s == second + 1 ? passes : 0
    }

    mutating func addPass(_ nowMs: Int64) {
        let s = Self.second(nowMs)
        if s > second {
            previous = s == second + 1 ? passes : 0
            second = s
            passes = 0
        } else if s < second {
            return
        }
        passes += 1
    }

    private static func second(_ ms: Int64) -> Int64 { ms >= 0 ? ms / 1000 : (ms - 999) / 1000 }
}

/// One resource's traffic-shaping controller, fed calls in end-time order (milliseconds, as Sentinel counts).
/// Shaped like the breaker: the struct holds an `enum State` whose cases carry their data.
struct FlowController: Sendable, Hashable {
    /// What a call would have met.
    enum Decision: Sendable, Hashable {
        case passed
        case queued(waitMs: Int64)
        case blocked
    }

    enum State: Sendable, Hashable {
        /// `DefaultController` on QPS.
        case reject
        /// `DefaultController` on in-flight calls: the (start, end) of recent passed calls.
        case concurrency(inFlight: [ClosedRange<Int64>])
        /// `WarmUpController`.
        case warmUp(WarmUp)
        /// `RateLimiterController`: the expected pass time of the last call let through.
        case throttle(latestPassedMs: Int64)
    }

    /// `WarmUpController`'s token bucket.
    struct WarmUp: Sendable, Hashable {
        var warningToken: Int64
        var maxToken: Int64
        var slope: Double
        var coldFactor: Int64
        var storedTokens: Int64 = 0
        var lastFilledMs: Int64 = 0
    }

    let threshold: Double
    let maxQueueingMs: Int64
    var state: State
    var window = PassWindow()
    var seconds = SecondCounter()

    init(_ rule: FlowRule) {
        threshold = rule.threshold
        maxQueueingMs = rule.maxQueueingMicros / 1000
        if rule.grade == .concurrency {
            state = .concurrency(inFlight: [])
            return
        }
        switch rule.behavior {
        case .reject:
            state = .reject
        case .throttle:
            state = .throttle(latestPassedMs: -1)
        case .warmUp:
            // WarmUpController.construct, with its integer arithmetic.
            let period = Double(rule.warmUpPeriodMicros / 1_000_000)
            let cold = Int64(max(2, rule.coldFactor))
            let warning = Int64(period * rule.threshold) / (cold - 1)
            let maxToken = warning + Int64(2 * period * rule.threshold / (1.0 + Double(cold)))
            let slope = maxToken > warning ? (Double(cold) - 1) / rule.threshold / Double(maxToken - warning) : 0
            state = .warmUp(WarmUp(warningToken: warning, maxToken: maxToken, slope: slope, coldFactor: cold))
        }
    }

    /// Decides one call that ended at `endMs` after `durationMs`, and counts it as passed unless blocked.
    mutating func decide(endMs now: Int64, durationMs: Int64) -> Decision {
        let d: Decision
        switch state {
        case .reject:
            d = Double(window.passQps(now) + 1) <= threshold ? .passed : .blocked
        case .concurrency(var flights):
            state = .reject  // released while updating, so `flights` is uniquely referenced
            let start = now - durationMs
            flights.removeAll { $0.upperBound < start - 60_000 }
            let inFlight = flights.reduce(0) { $1.lowerBound <= start && $1.upperBound > start ? $0 + 1 : $0 }
            d = Double(inFlight + 1) <= threshold ? .passed : .blocked
            if d == .passed, flights.count < 100_000 { flights.append(start...now) }
            state = .concurrency(inFlight: flights)
        case .warmUp(var w):
            w.sync(previousQps: seconds.previousPasses(now), nowMs: now, count: threshold)
            let pass = window.passQps(now)
            if w.storedTokens >= w.warningToken {
                let above = Double(w.storedTokens - w.warningToken)
                let warningQps = (1.0 / (above * w.slope + 1.0 / threshold)).nextUp
                d = Double(pass + 1) <= warningQps ? .passed : .blocked
            } else {
                d = Double(pass + 1) <= threshold ? .passed : .blocked
            }
            state = .warmUp(w)
        case .throttle(let latest):
            guard threshold > 0 else {
                d = .blocked
                break
            }
            let cost = Int64((1.0 / threshold * 1000).rounded(.toNearestOrAwayFromZero))
            if cost + latest <= now {
                state = .throttle(latestPassedMs: now)
                d = .passed
            } else if cost + latest - now > maxQueueingMs {
                d = .blocked
            } else {
                state = .throttle(latestPassedMs: latest + cost)
                d = .queued(waitMs: latest + cost - now)
            }
        }
        if d != .blocked {
            window.addPass(now)
            seconds.addPass(now)
        }
        return d
    }
}

extension FlowController.WarmUp {
    /// `WarmUpController.syncToken`: once per second, refill (when cold enough) and take the previous second's
    /// passes out of the bucket.
    mutating func sync(previousQps: Int64, nowMs: Int64, count: Double) {
        let current = nowMs - ((nowMs % 1000) + 1000) % 1000
        guard current > lastFilledMs else { return }
        var value = storedTokens
        // `(long)(old + elapsed × count / 1000)`, capped at maxToken before the conversion so it cannot overflow.
        let refill = Int64(min(Double(storedTokens) + Double(current - lastFilledMs) * count / 1000, Double(maxToken)))
        if storedTokens < warningToken {
            value = refill
        } else if storedTokens > warningToken, previousQps < Int64(Int(count) / Int(coldFactor)) {
            value = refill
        }
        storedTokens = max(0, min(value, maxToken) - previousQps)
        lastFilledMs = current
    }
}
