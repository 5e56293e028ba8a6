#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// meshtop's one reading of the system clocks (`clock_gettime`). Wall time stamps data and bookkeeping;
/// monotonic time measures intervals and deadlines; thread CPU time lets benchmarks and self-metrics report CPU
/// cost on a shared machine. Code that must be testable at a pinned instant takes a clock value instead
/// (the collector's `WallClock`).
public enum SystemClock {
    /// Wall-clock time in µs since the Unix epoch.
    public static func wallMicros() -> Int64 { micros(read(CLOCK_REALTIME)) }

    /// Monotonic time in ns, for intervals.
    public static func monotonicNanos() -> UInt64 {
        let ts = read(CLOCK_MONOTONIC)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Monotonic time in µs, for intervals and deadlines.
    public static func monotonicMicros() -> Int64 { micros(read(CLOCK_MONOTONIC)) }

    /// Monotonic time in seconds, for timings.
    public static func monotonicSeconds() -> Double { seconds(read(CLOCK_MONOTONIC)) }

    /// CPU time used by the calling thread, in µs.
    public static func threadCPUMicros() -> Int64 { micros(read(CLOCK_THREAD_CPUTIME_ID)) }

    /// CPU time used by the calling thread, in seconds.
    public static func threadCPUSeconds() -> Double { seconds(read(CLOCK_THREAD_CPUTIME_ID)) }

    private static func read(_ clock: clockid_t) -> timespec {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return ts
    }

    private static func micros(_ ts: timespec) -> Int64 { Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1_000 }

    private static func seconds(_ ts: timespec) -> Double { Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9 }
}
