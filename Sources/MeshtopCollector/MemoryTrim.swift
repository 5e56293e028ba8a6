#if canImport(Glibc)
import Glibc
#endif

/// Gives freed heap back to the kernel after a burst (glibc `malloc_trim`), so the collector's RSS comes down once
/// a flood of large lines has been written instead of staying at its peak. Looked up at run time: not every libc
/// has it, and Swift's Glibc module does not declare it.
enum MemoryTrim {
    private typealias Trim = @convention(c) (Int) -> Int32

    private static let trim: Trim? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: Trim.self)
        #else
        return nil
        #endif
    }()

    /// Returns free memory at the top of every arena to the kernel; a no-op where unavailable.
    static func release() {
        _ = trim?(0)
    }
}
