/// Lines-per-second limiter (`--rate`): a bucket holding up to one second of tokens.
struct TokenBucket {
    let rate: Double
    private var tokens: Double
    private var last: UInt64

    init(rate: Double, now: UInt64) {
        self.rate = rate
        tokens = max(1, rate)
        last = now
    }

    /// Whole tokens available now (at most `wanted`), without taking them.
    mutating func available(now: UInt64, wanted: Int) -> Int {
        refill(now)
        return min(wanted, Int(tokens))
    }

    mutating func take(_ n: Int) {
        tokens -= Double(n)
    }

    /// Nanoseconds until one token is there.
    func wait() -> UInt64 {
        tokens >= 1 ? 0 : UInt64((1 - tokens) / rate * 1e9) + 1
    }

    private mutating func refill(_ now: UInt64) {
        if now > last {
            tokens = min(max(1, rate), tokens + Double(now - last) / 1e9 * rate)
            last = now
        }
    }
}
