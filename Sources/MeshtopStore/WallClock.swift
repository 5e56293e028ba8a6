import Foundation

/// Wall-clock time for bookkeeping columns (gauge `updated_us`, `meta.created_us`); data carries its own times.
enum WallClock {
    static func nowMicros() -> Int64 { Int64((Date().timeIntervalSince1970 * 1_000_000).rounded()) }

    /// Monotonic seconds, for measuring how long a transaction held the write lock.
    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// CPU seconds used by the calling thread, so benchmarks on a shared machine can report CPU cost too.
    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Seconds the calling thread has waited for a CPU (Linux `schedstat`; 0 elsewhere), to tell apart
    /// waiting for the machine from waiting for I/O in benchmark timings.
    static func threadRunQueueSeconds() -> Double {
        #if os(Linux)
            guard let text = try? String(contentsOfFile: "/proc/thread-self/schedstat", encoding: .utf8) else {
                return 0
            }
            let fields = text.split(separator: " ")
            guard fields.count >= 2, let ns = Double(fields[1]) else { return 0 }
            return ns / 1e9
        #else
            return 0
        #endif
    }
}
