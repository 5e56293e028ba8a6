/// Minute arithmetic on microsecond times, shared by the governance engine's per-minute books and the stores'
/// minute-aligned windows.
public enum Minute {
    /// One minute in microseconds.
    public static let micros: Int64 = 60_000_000

    /// The start of the minute holding `micros` (floored, also before 1970: -1 µs is in the minute starting at
    /// -60 s).
    @inlinable
    public static func floor(_ micros: Int64) -> Int64 {
        micros >= 0 ? micros / Self.micros * Self.micros : (micros - Self.micros + 1) / Self.micros * Self.micros
    }
}
