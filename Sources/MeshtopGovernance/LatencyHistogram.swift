import Histogram

/// A mergeable latency histogram in microseconds, backed by HdrHistogram (hdrhistogram-swift).
///
/// Values are tracked from 1 µs to 1 hour with 2 significant digits (each value is kept within 1 % of what was
/// recorded); larger values are clamped to 1 hour, zero and negative values count as 1 µs. The counts array is
/// allocated once at full size (about 26 KB), because HdrHistogram's auto-resize is slow when histograms of
/// different sizes are merged; closed minutes are kept as `encode()` blobs instead (see `RollupBook`).
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
        hdr = Histogram<UInt64>(
            lowestDiscernibleValue: 1, highestTrackableValue: Self.highestTrackableMicros,
            numberOfSignificantValueDigits: .two)
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

    /// The value (µs) at or below which `p` percent of the recorded values fall, with HdrHistogram's
    /// `valueAtPercentile` rule: the first bucket whose cumulative count reaches ⌈p / 100 × count⌉ (at least 1),
    /// reported as the bucket's highest equivalent value, capped at the exact max. 0 when empty.
    public func percentile(_ p: Double) -> Int64 {
        percentiles([p])[0]
    }

    /// Several percentiles in one pass over the buckets (`ps` in any order).
    ///
    /// Walks the buckets between the smallest and largest value with `countForValue` rather than calling
    /// `valueAtPercentile`, which is not inlinable and so runs as unspecialised generic code over the whole
    /// counts array (about five times slower here).
    public func percentiles(_ ps: [Double]) -> [Int64] {
        var out = [Int64](repeating: 0, count: ps.count)
        let total = hdr.totalCount
        guard total > 0 else { return out }
        let order = ps.indices.sorted { ps[$0] < ps[$1] }
        let targets = order.map { i -> UInt64 in
            let p = Swift.min(Swift.max(ps[i].nextDown, 0), 100)
            return Swift.max(1, UInt64((p * Double(total) / 100).rounded(.up)))
        }
        var k = 0
        var cumulative: UInt64 = 0
        var v = Self.bucketStart(hdr.minNonZero)
        let top = hdr.maxRecorded
        while v <= top, k < targets.count {
            cumulative += UInt64(hdr.countForValue(v))
            let width = Self.bucketWidth(v)
            while k < targets.count, cumulative >= targets[k] {
                out[order[k]] = Swift.min(Int64(v + width - 1), max)
                k += 1
            }
            v += width
        }
        while k < targets.count {
            out[order[k]] = max
            k += 1
        }
        return out
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
    /// Width of the HdrHistogram bucket holding `v` for this layout (lowest discernible value 1, 2 significant
    /// digits: sub-bucket count 256, so values below 256 are exact and each power of two above is split in 128):
    /// HdrHistogram's `sizeOfEquivalentRangeForValue`, computed here so the loop stays specialised.
    @inline(__always)
    static func bucketWidth(_ v: UInt64) -> UInt64 {
        let bucketIndex = Swift.max(0, 63 - (v | 255).leadingZeroBitCount - 7)
        return 1 << UInt64(bucketIndex)
    }

    /// HdrHistogram's `lowestEquivalentForValue` for this layout.
    @inline(__always)
    static func bucketStart(_ v: UInt64) -> UInt64 { v & ~(bucketWidth(v) - 1) }

    /// Format version of `encode()`.
    static let formatVersion: UInt8 = 1

    /// A compact byte encoding for rollup blobs: a version byte, the exact max, the number of distinct buckets,
    /// then per recorded bucket the delta from the previous bucket value and its count, all LEB128 varints.
    /// A minute of a typical service encodes to a few dozen bytes.
    public func encode() -> [UInt8] {
        var out: [UInt8] = [Self.formatVersion]
        out.reserveCapacity(64)
        Varint.append(UInt64(Swift.max(max, 0)), to: &out)
        guard count > 0 else { return out }
        // Step through the buckets between the smallest and largest value recorded (cheaper than
        // `recordedValues()`, which walks every bucket of the array).
        var previous: UInt64 = 0
        var v = Self.bucketStart(hdr.minNonZero)
        let top = hdr.maxRecorded
        while v <= top {
            let c = hdr.countForValue(v)
            let width = Self.bucketWidth(v)
            if c > 0 {
                // The bucket's highest equivalent value maps back to the same bucket when decoded, and keeps
                // the decoded percentiles equal to the original's (HdrHistogram reports highest equivalents).
                let value = v + width - 1
                Varint.append(value - previous, to: &out)
                Varint.append(UInt64(c), to: &out)
                previous = value
            }
            v += width
        }
        return out
    }

    /// Decodes `encode()`'s output; nil when the bytes are not a histogram of this format.
    public init?(decoding bytes: [UInt8]) {
        self.init()
        guard merge(encoded: bytes) else { return nil }
    }

    /// Adds an `encode()` blob without building a second histogram; false (and nothing added) when the bytes
    /// are not a histogram of this format. An empty blob is an empty histogram.
    @discardableResult
    public mutating func merge(encoded bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else { return true }
        guard bytes[0] == Self.formatVersion else { return false }
        var i = 1
        guard let m = Varint.read(bytes, at: &i), m <= Self.highestTrackableMicros else { return false }
        var pairs: [(UInt64, UInt64)] = []
        var value: UInt64 = 0
        while i < bytes.count {
            guard let delta = Varint.read(bytes, at: &i), let c = Varint.read(bytes, at: &i) else { return false }
            let (sum, overflow) = value.addingReportingOverflow(delta)
            guard !overflow, c > 0 else { return false }
            value = sum
            pairs.append((Swift.min(Swift.max(value, 1), Self.highestTrackableMicros), c))
        }
        for (v, c) in pairs { hdr.record(v, count: c) }
        if Int64(m) > max { max = Int64(m) }
        return true
    }

    /// The `p` percentile of the union of several `encode()` blobs, computed on the encoded buckets without
    /// building a histogram (same answer as merging them and calling `percentile`). nil when all are empty or
    /// one is malformed.
    public static func percentile(ofEncoded blobs: [[UInt8]], _ p: Double) -> Int64? {
        var pairs: [(UInt64, UInt64)] = []
        var exactMax: UInt64 = 0
        var total: UInt64 = 0
        for b in blobs where !b.isEmpty {
            guard b[0] == formatVersion else { return nil }
            var i = 1
            guard let m = Varint.read(b, at: &i) else { return nil }
            exactMax = Swift.max(exactMax, m)
            var value: UInt64 = 0
            while i < b.count {
                guard let d = Varint.read(b, at: &i), let c = Varint.read(b, at: &i) else { return nil }
                value &+= d
                pairs.append((value, c))
                total += c
            }
        }
        guard total > 0 else { return nil }
        pairs.sort { $0.0 < $1.0 }
        let q = Swift.min(Swift.max(p.nextDown, 0), 100)
        let target = Swift.max(1, UInt64((q * Double(total) / 100).rounded(.up)))
        var cumulative: UInt64 = 0
        for (v, c) in pairs {
            cumulative += c
            if cumulative >= target { return Int64(Swift.min(v, exactMax)) }
        }
        return Int64(exactMax)
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
