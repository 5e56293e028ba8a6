import MeshtopModel

/// One simulated circuit breaker on an edge, fed the edge's calls in end-time order (event time).
///
/// Resilience4j `CircuitBreakerStateMachine` semantics (SPEC §8): after every recorded call, a failure rate or
/// slow-call rate at or above its threshold opens the breaker; calls while OPEN and before openedAt + wait are
/// `would_reject` and not recorded; the first call strictly after openedAt + wait moves it to HALF_OPEN (there is
/// no automatic transition: an edge without calls stays OPEN) and is the first probe; HALF_OPEN records at most
/// `permittedCallsInHalfOpenState` calls in a fresh count-based window (more are `would_reject`) and decides once
/// min(minimumNumberOfCalls, permitted) are recorded: over a threshold → OPEN with a new openedAt, else CLOSED
/// with a fresh window.
///
/// Shaped like swift-nio's state machines: the struct holds an `enum State` whose cases carry their data.
public struct CircuitBreaker: Sendable, Hashable {
    enum State: Sendable, Hashable {
        case closed(BreakerWindow)
        case open(openedAt: Int64)
        case halfOpen(BreakerWindow)
        /// Held only while a window is being updated, so the window's arrays are uniquely referenced and
        /// mutated in place (swift-nio's `.modifying` idiom).
        case modifying
    }

    public let caller: String
    public let callee: String
    public private(set) var config: BreakerConfig
    private var state: State
    public private(set) var wouldReject: Int64 = 0
    public private(set) var sinceMicros: Int64
    public private(set) var lastCallMicros: Int64
    public private(set) var transitionCount = 0

    public init(caller: String, callee: String, config: BreakerConfig = .resilience4j, startMicros: Int64 = 0) {
        self.caller = caller
        self.callee = callee
        self.config = config
        self.state = .closed(Self.closedWindow(config))
        self.sinceMicros = startMicros
        self.lastCallMicros = startMicros
    }

    private static func closedWindow(_ c: BreakerConfig) -> BreakerWindow {
        BreakerWindow(
            type: c.slidingWindowType, size: c.slidingWindowSize, minimumNumberOfCalls: c.minimumNumberOfCalls)
    }

    private static func halfOpenWindow(_ c: BreakerConfig) -> BreakerWindow {
        BreakerWindow(
            type: .countBased, size: c.permittedCallsInHalfOpenState, minimumNumberOfCalls: c.minimumNumberOfCalls)
    }

    /// The current state.
    public var currentState: BreakerState {
        switch state {
        case .closed, .modifying: return .closed
        case .open: return .open
        case .halfOpen: return .halfOpen
        }
    }

    /// Replaces the configuration; the breaker restarts CLOSED only when it was CLOSED (its window is rebuilt).
    public mutating func reconfigure(_ c: BreakerConfig) {
        guard c != config else { return }
        config = c
        if case .closed = state { state = .closed(Self.closedWindow(c)) }
    }

    /// Feeds one call; appends any transitions (up to two: OPEN → HALF_OPEN → …) to `transitions`.
    /// - Returns: false when the call was `would_reject`.
    @discardableResult
    public mutating func record(
        endMicros t: Int64, durationMicros: Int64, failed: Bool, transitions: inout [BreakerTransition]
    ) -> Bool {
        if t > lastCallMicros { lastCallMicros = t }
        let slow = durationMicros > config.slowCallDurationMicros
        switch state {
        case .closed(var w):
            state = .modifying
            w.record(atMicros: t, failed: failed, slow: slow)
            if exceeded(w) {
                transition(to: .open(openedAt: t), from: .closed, at: t, window: w, &transitions)
            } else {
                state = .closed(w)
            }
            return true
        case .open(let openedAt):
            guard t > openedAt + config.waitDurationInOpenStateMicros else {
                wouldReject += 1
                return false
            }
            transition(to: .halfOpen(Self.halfOpenWindow(config)), from: .open, at: t, window: nil, &transitions)
            return record(endMicros: t, durationMicros: durationMicros, failed: failed, transitions: &transitions)
        case .halfOpen(var w):
            guard w.calls < config.permittedCallsInHalfOpenState else {
                wouldReject += 1
                return false
            }
            state = .modifying
            w.record(atMicros: t, failed: failed, slow: slow)
            if w.failureRate == nil {
                state = .halfOpen(w)
            } else if exceeded(w) {
                transition(to: .open(openedAt: t), from: .halfOpen, at: t, window: w, &transitions)
            } else {
                transition(to: .closed(Self.closedWindow(config)), from: .halfOpen, at: t, window: w, &transitions)
            }
            return true
        case .modifying:
            preconditionFailure("CircuitBreaker.record re-entered while updating its window")
        }
    }

    private func exceeded(_ w: BreakerWindow) -> Bool {
        guard let f = w.failureRate, let s = w.slowCallRate else { return false }
        if config.tripsOnlyAboveThreshold {
            return f > config.failureRateThreshold || s > config.slowCallRateThreshold
        }
        return f >= config.failureRateThreshold || s >= config.slowCallRateThreshold
    }

    private mutating func transition(
        to next: State, from: BreakerState, at t: Int64, window w: BreakerWindow?, _ out: inout [BreakerTransition]
    ) {
        state = next
        sinceMicros = t
        transitionCount += 1
        out.append(
            BreakerTransition(
                caller: caller, callee: callee, source: .simulated, atMicros: t, from: from, to: currentState,
                failureRate: w?.failureRate, slowCallRate: w?.slowCallRate, calls: w?.calls ?? 0,
                failedCalls: w?.failed ?? 0, slowCalls: w?.slow ?? 0))
    }

    /// The breaker's status for storage and display.
    public var status: BreakerStatus {
        var fr: Double?
        var sr: Double?
        var n = 0
        switch state {
        case .closed(let w), .halfOpen(let w):
            fr = w.failureRate
            sr = w.slowCallRate
            n = w.calls
        case .open, .modifying:
            break
        }
        return BreakerStatus(
            caller: caller, callee: callee, source: .simulated, state: currentState, failureRate: fr,
            slowCallRate: sr, callsInWindow: n, wouldReject: wouldReject, sinceMicros: sinceMicros,
            lastCallMicros: lastCallMicros, transitions: transitionCount)
    }
}
