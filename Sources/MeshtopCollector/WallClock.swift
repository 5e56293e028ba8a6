import MeshtopModel

/// A source of wall-clock time in microseconds since the Unix epoch: the system clock, or a pinned instant.
public struct WallClock: Sendable {
    private let read: @Sendable () -> Int64

    public init(_ read: @escaping @Sendable () -> Int64) { self.read = read }

    public static let system = WallClock { SystemClock.wallMicros() }

    /// Always answers `micros`: every receive time and governance tick happens at that instant.
    public static func pinned(at micros: Int64) -> WallClock { WallClock { micros } }

    public func micros() -> Int64 { read() }
}
