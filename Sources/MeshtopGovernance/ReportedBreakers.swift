import Glibc
import MeshtopModel

/// Breaker states reported by the applications themselves, shown beside the simulated ones as `reported`.
///
/// Recognised reports:
/// - a log whose attributes (or logfmt fields in its message) hold `breaker=NAME` and `state=STATE`;
/// - a gauge `resilience4j.circuitbreaker.state` (Micrometer's name; `resilience4j_circuitbreaker_state` too)
///   tagged `name:NAME` and `state:STATE` with value 1, meaning that state is the current one (Resilience4j's
///   Micrometer binder publishes one gauge per state, 1 for the current and 0 for the others).
///
/// The status has `caller` = the reporting service and `callee` = the breaker's name. A transition is recorded
/// when a breaker's reported state changes; the first report of a breaker sets its state without a transition.
struct ReportedBreakers {
    private(set) var statuses: [EdgeKey: BreakerStatus] = [:]
    private(set) var dirty: Set<EdgeKey> = []

    static let metricNames: Set<String> = ["resilience4j.circuitbreaker.state", "resilience4j_circuitbreaker_state"]

    static func state(_ text: String) -> BreakerState {
        switch String(text.lowercased().map { $0 == "-" ? "_" : $0 }) {
        case "closed": return .closed
        case "open": return .open
        case "half_open", "halfopen": return .halfOpen
        default: return .other
        }
    }

    mutating func observe(log: LogRecord, transitions: inout [BreakerTransition]) {
        var name: String?
        var state: String?
        for a in log.attributes {
            if a.key == "breaker" { name = a.value.text } else if a.key == "state" { state = a.value.text }
        }
        if name == nil || state == nil, Self.mentionsBreaker(log.message) {
            for token in log.message.split(separator: " ") {
                if token.hasPrefix("breaker=") { name = Self.unquote(token.dropFirst(8)) }
                if token.hasPrefix("state=") { state = Self.unquote(token.dropFirst(6)) }
            }
        }
        guard let n = name, let s = state, !n.isEmpty else { return }
        report(service: log.service, breaker: n, state: Self.state(s), at: log.timeMicros, &transitions)
    }

    mutating func observe(metric m: MetricSample, at t: Int64, transitions: inout [BreakerTransition]) {
        guard m.type == .gauge, m.value == 1, Self.metricNames.contains(m.name) else { return }
        var name: String?
        var state: String?
        for tag in m.tags {
            if tag.hasPrefix("name:") { name = String(tag.dropFirst(5)) }
            if tag.hasPrefix("state:") { state = String(tag.dropFirst(6)) }
        }
        guard let n = name, let s = state, !n.isEmpty else { return }
        report(service: m.service, breaker: n, state: Self.state(s), at: m.timestampMicros ?? t, &transitions)
    }

    /// Whether `text` contains `breaker=`, with libc's `memchr` and `memcmp` over the UTF-8 bytes: this runs for
    /// every log line, and `String.firstRange(of:)` was the largest single governance cost on the ingest path (a
    /// byte loop after it still took 1.2 % of the collector at 100,000 syslog lines/s).
    static func mentionsBreaker(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress, bytes.count >= breakerKey.count else { return false }
            return breakerKey.withUnsafeBytes { needle -> Bool in
                guard let key = needle.baseAddress else { return false }
                // memchr (SIMD in glibc) finds each candidate 'b'; memcmp checks the rest.
                let last = base + (bytes.count - needle.count)
                var at = base
                while at <= last, let hit = memchr(at, Int32(needle[0]), last - at + 1) {
                    let p = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self))
                    if memcmp(p, key, needle.count) == 0 { return true }
                    at = p + 1
                }
                return false
            }
        }
    }

    private static let breakerKey: [UInt8] = Array("breaker=".utf8)

    private static func unquote(_ s: Substring) -> String {
        var v = s
        if v.hasPrefix("\"") { v = v.dropFirst() }
        if v.hasSuffix("\"") { v = v.dropLast() }
        return String(v)
    }

    private mutating func report(
        service: String, breaker: String, state: BreakerState, at t: Int64, _ out: inout [BreakerTransition]
    ) {
        let key = EdgeKey(caller: service, callee: breaker)
        dirty.insert(key)
        guard var s = statuses[key] else {
            statuses[key] = BreakerStatus(
                caller: service, callee: breaker, source: .reported, state: state, failureRate: nil,
                slowCallRate: nil, callsInWindow: 0, wouldReject: 0, sinceMicros: t, lastCallMicros: t, transitions: 0)
            return
        }
        s.lastCallMicros = max(s.lastCallMicros, t)
        if s.state != state {
            out.append(
                BreakerTransition(
                    caller: service, callee: breaker, source: .reported, atMicros: t, from: s.state, to: state,
                    failureRate: nil, slowCallRate: nil, calls: 0, failedCalls: 0, slowCalls: 0))
            s.state = state
            s.sinceMicros = t
            s.transitions += 1
        }
        statuses[key] = s
    }

    /// Forgets breakers not reported since `micros` (their last status stays in the store).
    mutating func forget(reportedBefore micros: Int64) {
        if statuses.values.contains(where: { $0.lastCallMicros < micros }) {
            statuses = statuses.filter { $0.value.lastCallMicros >= micros }
        }
    }

    /// The statuses changed since the last call.
    mutating func drainChanged() -> [BreakerStatus] {
        let out = dirty.sorted().compactMap { statuses[$0] }
        dirty.removeAll(keepingCapacity: true)
        return out
    }
}
