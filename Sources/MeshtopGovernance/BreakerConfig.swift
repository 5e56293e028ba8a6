/// Configuration of one simulated circuit breaker.
///
/// Defaults are Resilience4j's (`CircuitBreakerConfig.java`: failureRateThreshold 50, slowCallRateThreshold 100,
/// slowCallDurationThreshold 60 s, waitDurationInOpenState 60 s, permittedNumberOfCallsInHalfOpenState 10,
/// minimumNumberOfCalls 100, slidingWindowSize 100, COUNT_BASED).
public struct BreakerConfig: Sendable, Hashable {
    /// Resilience4j's two sliding-window kinds.
    public enum WindowType: String, Sendable, Hashable {
        /// The last `slidingWindowSize` calls.
        case countBased = "count_based"
        /// The calls of the last `slidingWindowSize` seconds (one bucket per epoch second, event time).
        case timeBased = "time_based"
    }

    /// Percent (0–100]; the breaker opens when the failure rate is at or above it.
    public var failureRateThreshold: Double
    /// Percent (0–100]; the breaker opens when the slow-call rate is at or above it.
    public var slowCallRateThreshold: Double
    /// A call is slow when its duration is strictly greater than this (µs).
    public var slowCallDurationMicros: Int64
    /// Time in OPEN before the next call is let through as a probe (µs).
    public var waitDurationInOpenStateMicros: Int64
    public var permittedCallsInHalfOpenState: Int
    public var minimumNumberOfCalls: Int
    /// Calls (count based) or seconds (time based).
    public var slidingWindowSize: Int
    public var slidingWindowType: WindowType
    /// Sentinel compares with `>` rather than Resilience4j's `>=`.
    public var tripsOnlyAboveThreshold: Bool

    public init(
        failureRateThreshold: Double = 50, slowCallRateThreshold: Double = 100,
        slowCallDurationMicros: Int64 = 60_000_000, waitDurationInOpenStateMicros: Int64 = 60_000_000,
        permittedCallsInHalfOpenState: Int = 10, minimumNumberOfCalls: Int = 100, slidingWindowSize: Int = 100,
        slidingWindowType: WindowType = .countBased, tripsOnlyAboveThreshold: Bool = false
    ) {
        self.failureRateThreshold = failureRateThreshold
        self.slowCallRateThreshold = slowCallRateThreshold
        self.slowCallDurationMicros = slowCallDurationMicros
        self.waitDurationInOpenStateMicros = waitDurationInOpenStateMicros
        self.permittedCallsInHalfOpenState = max(1, permittedCallsInHalfOpenState)
        self.minimumNumberOfCalls = max(1, minimumNumberOfCalls)
        self.slidingWindowSize = max(1, slidingWindowSize)
        self.slidingWindowType = slidingWindowType
        self.tripsOnlyAboveThreshold = tripsOnlyAboveThreshold
    }

    /// Resilience4j's defaults (the default preset).
    public static let resilience4j = BreakerConfig()

    /// Netflix Hystrix's defaults (`HystrixCommandProperties`): circuitBreaker.requestVolumeThreshold 20,
    /// errorThresholdPercentage 50 (trips at ≥), metrics.rollingStats.timeInMilliseconds 10 s,
    /// sleepWindowInMilliseconds 5 s, then one probe call. Hystrix's 1 s execution timeout is not modelled as a
    /// failure; slow calls are off.
    public static let hystrix = BreakerConfig(
        failureRateThreshold: 50, slowCallRateThreshold: 100, slowCallDurationMicros: Int64.max / 2,
        waitDurationInOpenStateMicros: 5_000_000, permittedCallsInHalfOpenState: 1, minimumNumberOfCalls: 20,
        slidingWindowSize: 10, slidingWindowType: .timeBased)

    /// Alibaba Sentinel's error-ratio degrade rule (`DegradeRule`): statIntervalMs 1 s, minRequestAmount 5,
    /// trips when the ratio is strictly greater than the threshold, one probe call when the recovery timeout
    /// ends. Sentinel has no default ratio or timeout: meshtop uses 50 % and 10 s.
    public static let sentinel = BreakerConfig(
        failureRateThreshold: 50, slowCallRateThreshold: 100, slowCallDurationMicros: Int64.max / 2,
        waitDurationInOpenStateMicros: 10_000_000, permittedCallsInHalfOpenState: 1, minimumNumberOfCalls: 5,
        slidingWindowSize: 1, slidingWindowType: .timeBased, tripsOnlyAboveThreshold: true)

    /// The preset named `resilience4j`, `hystrix` or `sentinel`.
    public static func preset(named name: String) -> BreakerConfig? {
        switch name.lowercased() {
        case "resilience4j", "default": return .resilience4j
        case "hystrix": return .hystrix
        case "sentinel": return .sentinel
        default: return nil
        }
    }
}
