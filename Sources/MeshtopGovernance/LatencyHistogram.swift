import Histogram

/// A mergeable latency histogram in microseconds, backed by HdrHistogram (hdrhistogram-swift).
///
/// Values are tracked from 1 µs to 1 hour with 2 significant digits (each value is kept within 1 % of what was
/// recorded); larger values are clamped to 1 hour, zero and negative values count as 1 µs. The histogram grows
/// only as far as the largest value recorded, so a minute of millisecond latencies costs a few kilobytes.
///
/// Percentiles over long windows come from merging per-minute histograms (`merge`), never from averaging
/// percentiles. The exact maximum is carried separately so `max` is never rounded.
public struct LatencyHistogram: Sendable, Equatable {
    /// Largest trackable value: one hour in microseconds.
    public static let highestTrackableMicros: UInt64 = 3_600_000_000

    var hdr: Histogram<UInt64>
    /// Exact largest value recorded (µs), 0 when empty.
    public private(set) var max: Int64

    /// An empty histogram.
    public init() {
        hdr = Histogram<UInt64>(numberOfSignificantValueDigits: .two)
        hdr.autoResize = true
        max = 0
    }

    /// Number of values recorded.
    public var count: Int64 { Int64(hdr.totalCount) }

    /// Records one latency (µs), `times` times.
    public mutating func record(_ micros: Int64, times: Int64 = 1) {
        guard times > 0 else { return }
        let v = UInt64(Swift.min(Swift.max(micros, 1), Int64(Self.highestTrackableMicros)))
        hdr.record(v, count: UInt64(times))
        if micros > max { max = Swift.min(micros, Int64(Self.highestTrackableMicros)) }
    }

    /// Adds every value of `other` to this histogram.
    public mutating func merge(_ other: LatencyHistogram) {
        guard other.count > 0 else { return }
        hdr.add(other.hdr)
        if other.max > max { max = other.max }
    }

    /// The value (µs) at or below which `p` percent of the recorded values fall (HdrHistogram's
    /// `valueAtPercentile`: the highest value equivalent to the bucket, capped at the exact max). 0 when empty.
    public func percentile(_ p: Double) -> Int64 {
        guard count > 0 else { return 0 }
        return Swift.min(Int64(hdr.valueAtPercentile(p)), max)
    }

    /// Fraction of recorded values ≤ `micros` (0 … 1), within the histogram's 1 % precision.
    public func fraction(atOrBelow micros: Int64) -> Double {
        guard count > 0 else { return 0 }
        let v = UInt64(Swift.min(Swift.max(micros, 1), Int64(Self.highestTrackableMicros)))
        return Double(hdr.count(within: 0...v)) / Double(count)
    }

    public static func == (a: LatencyHistogram, b: LatencyHistogram) -> Bool {
        a.max == b.max && a.encode() == b.encode()
    }
}

extension LatencyHistogram {
    /// Format version of `encode()`.
    static let formatVersion: UInt8 = 1

    /// A compact byte encoding for rollup blobs: a version byte, the exact max, the number of distinct buckets,
    /// then per recorded bucket the delta from the previous bucket value and its count, all LEB128 varints.
    /// A minute of a typical service encodes to a few dozen bytes.
    public func encode() -> [UInt8] {
        var out: [UInt8] = [Self.formatVersion]
        out.reserveCapacity(64)
        Varint.append(UInt64(Swift.max(max, 0)), to: &out)
        var previous: UInt64 = 0
        for item in hdr.recordedValues() {
            // The bucket's highest equivalent value maps back to the same bucket when decoded, and keeps the
            // decoded percentiles equal to the original's (HdrHistogram reports highest equivalents).
            let value = hdr.highestEquivalentForValue(item.value)
            Varint.append(value - previous, to: &out)
            Varint.append(UInt64(item.count), to: &out)
            previous = value
        }
        return out
    }

    /// Decodes `encode()`'s output; nil when the bytes are not a histogram of this format.
    public init?(decoding bytes: [UInt8]) {
        self.init()
        guard !bytes.isEmpty else { return }
        guard bytes[0] == Self.formatVersion else { return nil }
        var i = 1
        guard let m = Varint.read(bytes, at: &i), m <= Self.highestTrackableMicros else { return nil }
        var value: UInt64 = 0
        while i < bytes.count {
            guard let delta = Varint.read(bytes, at: &i), let c = Varint.read(bytes, at: &i) else { return nil }
            let (sum, overflow) = value.addingReportingOverflow(delta)
            guard !overflow, sum <= 2 * Self.highestTrackableMicros, c > 0 else { return nil }
            value = sum
            hdr.record(Swift.max(value, 1), count: c)
        }
        max = Int64(m)
    }
}

/// Unsigned LEB128 varints.
enum Varint {
    @inline(__always)
    static func append(_ v: UInt64, to out: inout [UInt8]) {
        var x = v
        while x >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: x) | 0x80)
            x >>= 7
        }
        out.append(UInt8(x))
    }

    static func read(_ bytes: [UInt8], at i: inout Int) -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while i < bytes.count, shift < 64 {
            let b = bytes[i]
            i += 1
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
        return nil
    }
}
