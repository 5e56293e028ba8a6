import Foundation

/// Time the calling thread waited for a CPU, so the pruner and benchmarks on a shared machine can tell waiting
/// for the machine apart from their own work and waiting for I/O.
public enum RunQueueTime {
    /// Seconds the calling thread has waited for a CPU (Linux `schedstat`; 0 elsewhere).
    public static func threadSeconds() -> Double {
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
