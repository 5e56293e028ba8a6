import MeshtopModel

/// Time spent at each in-flight level: `micros[n]` is how long exactly `n` requests were running. Mergeable
/// across minutes (sum per level), so a window's max and p99 are exact, never averaged.
///
/// Blob (`ServiceConcurrency.levels`): a version byte (1), then for each level with time, in increasing order,
/// the level's delta from the previous one (from 0 for the first) and its microseconds, as LEB128 varints.
public struct InFlightLevels: Hashable, Sendable {
    public private(set) var micros: [Int64] = []

    public init() {}

    /// Decodes a blob; nil when it is not one.
    public init?(decoding bytes: [UInt8]) {
        guard let version = bytes.first, version == 1 else { return nil }
        var i = 1
        var level: UInt64 = 0
        while i < bytes.count {
            guard let delta = Varint.read(bytes, at: &i), let t = Varint.read(bytes, at: &i) else { return nil }
            level += delta
            guard level < 10_000_000, t <= UInt64(Int64.max) else { return nil }
            add(level: Int(level), micros: Int64(t))
        }
    }

    /// Merges the blobs of several minutes (blobs that do not decode are skipped).
    public init(merging blobs: [[UInt8]]) {
        for b in blobs {
            if let l = InFlightLevels(decoding: b) { merge(l) }
        }
    }

    @inline(__always)
    public mutating func add(level: Int, micros t: Int64) {
        guard t > 0 else { return }
        if level >= micros.count { micros.append(contentsOf: repeatElement(0, count: level + 1 - micros.count)) }
        micros[level] += t
    }

    public mutating func merge(_ other: InFlightLevels) {
        for (level, t) in other.micros.enumerated() where t > 0 { add(level: level, micros: t) }
    }

    public func encode() -> [UInt8] {
        var out: [UInt8] = [1]
        var previous = 0
        for (level, t) in micros.enumerated() where t > 0 {
            Varint.append(UInt64(level - previous), to: &out)
            Varint.append(UInt64(t), to: &out)
            previous = level
        }
        return out
    }

    /// The time covered.
    public var totalMicros: Int64 { micros.reduce(0, +) }

    /// The highest level held for some time; 0 when none.
    public var maxLevel: Int64 {
        guard let i = micros.lastIndex(where: { $0 > 0 }) else { return 0 }
        return Int64(i)
    }

    /// Time-weighted mean level (Little's law's L); 0 when no time is covered.
    public var meanLevel: Double {
        let total = totalMicros
        guard total > 0 else { return 0 }
        var sum = 0.0
        for (level, t) in micros.enumerated() where t > 0 { sum += Double(level) * Double(t) }
        return sum / Double(total)
    }

    /// The smallest level `n` such that the time at levels ≤ `n` is at least `percent` % of the time covered.
    public func percentile(_ percent: Double) -> Int64 {
        let total = totalMicros
        guard total > 0 else { return 0 }
        let target = Double(total) * percent / 100
        var cumulative: Int64 = 0
        for (level, t) in micros.enumerated() {
            cumulative += t
            if Double(cumulative) >= target { return Int64(level) }
        }
        return maxLevel
    }
}
