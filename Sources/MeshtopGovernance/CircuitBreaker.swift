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
/// The window of the CLOSED or HALF_OPEN state is a stored property beside the `enum State` rather than the
/// cases' payload, so a call updates it in place (no copy of the window out of the enum and back per call); while
/// OPEN it holds the empty `openWindow`.
public struct CircuitBreaker: Sendable, Hashable {
    enum State: Sendable, Hashable {
        case closed
        case open(openedAt: Int64)
        case halfOpen
    }

    public let caller: String
    public let callee: String
    public private(set) var config: BreakerConfig
    private var state: State
    private var window: BreakerWindow
    public private(set) var wouldReject: Int64 = 0
    public private(set) var sinceMicros: Int64
    public private(set) var lastCallMicros: Int64
    public private(set) var transitionCount = 0

    public init(caller: String, callee: String, config: BreakerConfig = .resilience4j, startMicros: Int64 = 0) {
        self.caller = caller
        self.callee = callee
        self.config = config
        self.state = .closed
        self.window = Self.closedWindow(config)
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

    /// The window held while OPEN (none is kept).
    private static let openWindow = BreakerWindow(type: .countBased, size: 1, minimumNumberOfCalls: 1)

    /// The current state.
    public var currentState: BreakerState {
        switch state {
        case .closed: return .closed
        case .open: return .open
        case .halfOpen: return .halfOpen
        }
    }

    /// Replaces the configuration; the breaker restarts CLOSED only when it was CLOSED (its window is rebuilt).
    public mutating func reconfigure(_ c: BreakerConfig) {
        guard c != config else { return }
        config = c
        if case .closed = state { window = Self.closedWindow(c) }
    }

    /// Takes the state a stored status describes (a new governance leader taking over the breaker the old leader
    /// stored, `GovernanceEngine.seed`), reporting no transition. OPEN keeps the stored open-since time, so the
    /// half-open probe comes when the old leader's would have; HALF_OPEN starts an empty probe window (the stored
    /// counts cannot say which probes failed); CLOSED keeps this breaker's own window when it was already closed,
    /// else starts an empty one. The would-reject and transition counts continue from the stored ones.
    public mutating func seed(_ stored: BreakerStatus) {
        switch stored.state {
        case .open:
            state = .open(openedAt: stored.sinceMicros)
            window = Self.openWindow
        case .halfOpen:
            state = .halfOpen
            window = Self.halfOpenWindow(config)
        case .closed:
            if case .closed = state { break }
            state = .closed
            window = Self.closedWindow(config)
        case .other:
            return
        }
        sinceMicros = stored.sinceMicros
        lastCallMicros = max(lastCallMicros, stored.lastCallMicros)
        wouldReject = stored.wouldReject
        transitionCount = stored.transitions
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
        case .closed:
            window.record(atMicros: t, failed: failed, slow: slow)
            if exceeded(window) {
                transition(to: .open(openedAt: t), window: Self.openWindow, from: .closed, at: t, &transitions)
            }
            return true
        case .open(let openedAt):
            guard t > openedAt + config.waitDurationInOpenStateMicros else {
                wouldReject += 1
                return false
            }
            transition(
                to: .halfOpen, window: Self.halfOpenWindow(config), from: .open, at: t, reportWindow: false,
                &transitions)
            return record(endMicros: t, durationMicros: durationMicros, failed: failed, transitions: &transitions)
        case .halfOpen:
            guard window.calls < config.permittedCallsInHalfOpenState else {
                wouldReject += 1
                return false
            }
            window.record(atMicros: t, failed: failed, slow: slow)
            if window.failureRate == nil {
                // Still deciding.
            } else if exceeded(window) {
                transition(to: .open(openedAt: t), window: Self.openWindow, from: .halfOpen, at: t, &transitions)
            } else {
                transition(to: .closed, window: Self.closedWindow(config), from: .halfOpen, at: t, &transitions)
            }
            return true
        }
    }

    private func exceeded(_ w: BreakerWindow) -> Bool {
        guard let f = w.failureRate, let s = w.slowCallRate else { return false }
        if config.tripsOnlyAboveThreshold {
            return f > config.failureRateThreshold || s > config.slowCallRateThreshold
        }
        return f >= config.failureRateThreshold || s >= config.slowCallRateThreshold
    }

    /// Moves to `next` with its window; the transition reports the window the decision was made on (none when
    /// `reportWindow` is false).
    private mutating func transition(
        to next: State, window newWindow: BreakerWindow, from: BreakerState, at t: Int64, reportWindow: Bool = true,
        _ out: inout [BreakerTransition]
    ) {
        let w: BreakerWindow? = reportWindow ? window : nil
        state = next
        window = newWindow
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
        case .closed, .halfOpen:
            fr = window.failureRate
            sr = window.slowCallRate
            n = window.calls
        case .open:
            break
        }
        return BreakerStatus(
            caller: caller, callee: callee, source: .simulated, state: currentState, failureRate: fr,
            slowCallRate: sr, callsInWindow: n, wouldReject: wouldReject, sinceMicros: sinceMicros,
            lastCallMicros: lastCallMicros, transitions: transitionCount)
    }
}
