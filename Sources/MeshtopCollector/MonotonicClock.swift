#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Clock readings in microseconds.
enum MonotonicClock {
    /// Monotonic time, for intervals and deadlines.
    static func micros() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1_000
    }

    /// Wall-clock time since the Unix epoch, for receive timestamps.
    static func wallMicros() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1_000
    }
}

/// A source of wall-clock time in microseconds since the Unix epoch: the system clock, or a pinned instant.
public struct WallClock: Sendable {
    private let read: @Sendable () -> Int64

    public init(_ read: @escaping @Sendable () -> Int64) { self.read = read }

    public static let system = WallClock { MonotonicClock.wallMicros() }

    /// Always answers `micros`: every receive time and governance tick happens at that instant.
    public static func pinned(at micros: Int64) -> WallClock { WallClock { micros } }

    public func micros() -> Int64 { read() }
}
