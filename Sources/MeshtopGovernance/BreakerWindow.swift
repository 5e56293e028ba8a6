/// The sliding window of a breaker's recent calls: Resilience4j's `FixedSizeSlidingWindowMetrics` (count based)
/// or `SlidingTimeWindowMetrics` (time based, one bucket per epoch second).
struct BreakerWindow: Sendable, Hashable {
    private struct Bucket: Sendable, Hashable {
        var second: Int64 = Int64.min
        var calls = 0
        var failed = 0
        var slow = 0
    }

    let type: BreakerConfig.WindowType
    let size: Int
    /// Rates are undefined below this many calls.
    let minimumCalls: Int
    private var buckets: [Bucket]
    private var head = 0
    private(set) var calls = 0
    private(set) var failed = 0
    private(set) var slow = 0

    /// - Parameter minimumNumberOfCalls: as configured; count-based windows cap it at their size (Resilience4j
    ///   `CircuitBreakerMetrics`: `Math.min(minimumNumberOfCalls, slidingWindowSize)`).
    init(type: BreakerConfig.WindowType, size: Int, minimumNumberOfCalls: Int) {
        self.type = type
        self.size = max(1, size)
        self.minimumCalls = type == .countBased ? min(minimumNumberOfCalls, self.size) : minimumNumberOfCalls
        buckets = [Bucket](repeating: Bucket(), count: self.size)
    }

    mutating func record(atMicros t: Int64, failed f: Bool, slow s: Bool) {
        switch type {
        case .countBased:
            let old = buckets[head]
            if old.calls > 0 {
                calls -= 1
                failed -= old.failed
                slow -= old.slow
            }
            buckets[head] = Bucket(second: 0, calls: 1, failed: f ? 1 : 0, slow: s ? 1 : 0)
            head = (head + 1) % size
        case .timeBased:
            let second = t >= 0 ? t / 1_000_000 : (t - 999_999) / 1_000_000
            expire(before: second - Int64(size) + 1)
            let i = Int(((second % Int64(size)) + Int64(size)) % Int64(size))
            if buckets[i].second != second {
                buckets[i] = Bucket(second: second)
            }
            buckets[i].calls += 1
            buckets[i].failed += f ? 1 : 0
            buckets[i].slow += s ? 1 : 0
        }
        calls += 1
        failed += f ? 1 : 0
        slow += s ? 1 : 0
    }

    /// Drops time buckets older than `second`.
    private mutating func expire(before second: Int64) {
        for i in buckets.indices where buckets[i].calls > 0 && buckets[i].second < second {
            calls -= buckets[i].calls
            failed -= buckets[i].failed
            slow -= buckets[i].slow
            buckets[i] = Bucket()
        }
    }

    /// failed × 100 / total, nil while total < the minimum number of calls.
    var failureRate: Double? { calls >= minimumCalls && calls > 0 ? Double(failed) * 100 / Double(calls) : nil }
    /// slow × 100 / total, nil while total < the minimum number of calls.
    var slowCallRate: Double? { calls >= minimumCalls && calls > 0 ? Double(slow) * 100 / Double(calls) : nil }
}
