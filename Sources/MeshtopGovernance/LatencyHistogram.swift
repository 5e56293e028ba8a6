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
    /// One bit per slot of HdrHistogram's counts array (`slot(of:)`), set when the slot's count is non-zero, so
    /// `encode` visits the few recorded buckets instead of every bucket between the smallest and largest value.
    var occupied: [UInt64]

    /// An empty histogram.
    public init() {
        hdr = Histogram<UInt64>(
            lowestDiscernibleValue: 1, highestTrackableValue: Self.highestTrackableMicros,
            numberOfSignificantValueDigits: .two)
        max = 0
        occupied = [UInt64](repeating: 0, count: Self.occupiedWords)
    }

    /// Number of values recorded.
    public var count: Int64 { Int64(hdr.totalCount) }

    /// Records one latency (µs), `times` times.
    public mutating func record(_ micros: Int64, times: Int64 = 1) {
        guard times > 0 else { return }
        let v = UInt64(Swift.min(Swift.max(micros, 1), Int64(Self.highestTrackableMicros)))
        hdr.record(v, count: UInt64(times))
        markOccupied(v)
        if micros > max { max = Swift.min(micros, Int64(Self.highestTrackableMicros)) }
    }

    /// Adds every value of `other` to this histogram.
    public mutating func merge(_ other: LatencyHistogram) {
        guard other.count > 0 else { return }
        hdr.add(other.hdr)
        for w in occupied.indices { occupied[w] |= other.occupied[w] }
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

    /// The index of `v`'s bucket in HdrHistogram's counts array for this layout (`countsIndexForValue`):
    /// bucket 0 holds 0 … 255 in slots 0 … 255; bucket b ≥ 1 holds its upper half, 128 slots from (b + 1) × 128.
    /// Slots grow with the value.
    @inline(__always)
    static func slot(of v: UInt64) -> Int {
        let bucket = 56 - (v | 255).leadingZeroBitCount
        return (bucket + 1) << 7 + Int(truncatingIfNeeded: v >> UInt64(bucket)) - 128
    }

    /// The lowest value of slot `i`'s bucket (HdrHistogram's `valueFromIndex`), the inverse of `slot(of:)`.
    @inline(__always)
    static func slotStart(_ i: Int) -> UInt64 {
        let bucket = (i >> 7) - 1
        return bucket < 0 ? UInt64(i) : UInt64((i & 127) + 128) << UInt64(bucket)
    }

    /// Words of the `occupied` bitmap: one bit per slot up to the slot of the largest trackable value.
    static let occupiedWords = slot(of: highestTrackableMicros) / 64 + 1

    @inline(__always)
    mutating func markOccupied(_ v: UInt64) {
        let i = Self.slot(of: v)
        occupied[i >> 6] |= 1 << UInt64(i & 63)
    }

    /// Format version of `encode()`.
    static let formatVersion: UInt8 = 1

    /// A compact byte encoding for rollup blobs: a version byte, the exact max, the number of distinct buckets,
    /// then per recorded bucket the delta from the previous bucket value and its count, all LEB128 varints.
    /// A minute of a typical service encodes to a few dozen bytes.
    public func encode() -> [UInt8] {
        let buckets = count > 0 ? occupied.reduce(0) { $0 + $1.nonzeroBitCount } : 0
        // Written in place: at most 10 bytes per varint (the value deltas take at most 5, values being < 2³²).
        return [UInt8](unsafeUninitializedCapacity: 11 + buckets * 20) { buffer, written in
            buffer[0] = Self.formatVersion
            var n = 1
            Varint.write(UInt64(Swift.max(max, 0)), to: buffer, at: &n)
            if buckets > 0 {
                // Visit only the occupied slots, in slot (= value) order.
                var previous: UInt64 = 0
                for w in occupied.indices where occupied[w] != 0 {
                    var bits = occupied[w]
                    while bits != 0 {
                        let v = Self.slotStart(w << 6 | bits.trailingZeroBitCount)
                        bits &= bits - 1
                        let c = hdr.countForValue(v)
                        guard c > 0 else { continue }
                        // The bucket's highest equivalent value maps back to the same bucket when decoded, and
                        // keeps the decoded percentiles equal to the original's (HdrHistogram reports highest
                        // equivalents).
                        let value = v + Self.bucketWidth(v) - 1
                        Varint.write(value - previous, to: buffer, at: &n)
                        Varint.write(UInt64(c), to: buffer, at: &n)
                        previous = value
                    }
                }
            }
            written = n
        }
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
        for (v, c) in pairs {
            hdr.record(v, count: c)
            markOccupied(v)
        }
        if Int64(m) > max { max = Int64(m) }
        return true
    }

    /// The `p` percentile of the union of several histograms (same answer as merging them and calling
    /// `percentile`, or as `percentile(ofEncoded:)` on their blobs). nil when all are empty.
    ///
    /// Walks the occupied buckets from the top down, so a high percentile reads a few buckets instead of all.
    public static func percentile(of histograms: [LatencyHistogram], _ p: Double) -> Int64? {
        let total = histograms.reduce(0) { $0 + UInt64($1.count) }
        guard total > 0 else { return nil }
        let exactMax = histograms.reduce(0) { Swift.max($0, $1.max) }
        let q = Swift.min(Swift.max(p.nextDown, 0), 100)
        let target = Swift.max(1, UInt64((q * Double(total) / 100).rounded(.up)))
        // Going down, `below` is the count of the buckets under the current one: the answer is the first bucket
        // (from the top) whose count, taken away, leaves fewer than the target.
        var below = total
        for w in (0..<occupiedWords).reversed() {
            var bits = histograms.reduce(UInt64(0)) { $0 | $1.occupied[w] }
            while bits != 0 {
                let bit = 63 - bits.leadingZeroBitCount
                bits &= ~(1 << UInt64(bit))
                let v = slotStart(w << 6 | bit)
                below -= histograms.reduce(0) { $0 + UInt64($1.hdr.countForValue(v)) }
                if below < target { return Swift.min(Int64(v + bucketWidth(v) - 1), exactMax) }
            }
        }
        return exactMax
    }

    /// The `p` percentile of the union of several `encode()` blobs, computed on the encoded buckets without
    /// building a histogram (same answer as merging them and calling `percentile`). nil when all are empty or
    /// one is malformed.
    public static func percentile(ofEncoded blobs: [[UInt8]], _ p: Double) -> Int64? {
        var pairs: [(value: UInt64, count: UInt64)] = []
        pairs.reserveCapacity(blobs.reduce(0) { $0 + $1.count / 2 })
        // Each blob's buckets ascend: the runs are merged below instead of sorting them all.
        var runs: [Range<Int>] = []
        var ascending = true
        var exactMax: UInt64 = 0
        var total: UInt64 = 0
        for blob in blobs where !blob.isEmpty {
            let valid = blob.withUnsafeBufferPointer { b -> Bool in
                guard b[0] == formatVersion else { return false }
                var i = 1
                guard let m = Varint.read(b, at: &i) else { return false }
                exactMax = Swift.max(exactMax, m)
                var value: UInt64 = 0
                let start = pairs.count
                while i < b.count {
                    guard let d = Varint.read(b, at: &i), let c = Varint.read(b, at: &i) else { return false }
                    let (next, wrapped) = value.addingReportingOverflow(d)
                    if wrapped { ascending = false }
                    value = next
                    pairs.append((value, c))
                    total += c
                }
                if pairs.count > start { runs.append(start..<pairs.count) }
                return true
            }
            guard valid else { return nil }
        }
        guard total > 0 else { return nil }
        let q = Swift.min(Swift.max(p.nextDown, 0), 100)
        let target = Swift.max(1, UInt64((q * Double(total) / 100).rounded(.up)))
        if !ascending {
            pairs.sort { $0.value < $1.value }
            runs = [0..<pairs.count]
        }
        // Walk the runs in value order (equal values in any order: the answer is the value whose cumulative
        // count reaches the target, whichever of them gets there).
        var heads = runs.map(\.lowerBound)
        var cumulative: UInt64 = 0
        while true {
            var best = -1
            var bestValue = UInt64.max
            for r in runs.indices where heads[r] < runs[r].upperBound {
                let v = pairs[heads[r]].value
                if best < 0 || v < bestValue {
                    best = r
                    bestValue = v
                }
            }
            guard best >= 0 else { return Int64(exactMax) }
            cumulative += pairs[heads[best]].count
            heads[best] += 1
            if cumulative >= target { return Int64(Swift.min(bestValue, exactMax)) }
        }
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

    /// Writes `v` at `buffer[n...]` (room for 10 bytes is the caller's job) and moves `n` past it.
    @inline(__always)
    static func write(_ v: UInt64, to buffer: UnsafeMutableBufferPointer<UInt8>, at n: inout Int) {
        var x = v
        while x >= 0x80 {
            buffer[n] = UInt8(truncatingIfNeeded: x) | 0x80
            n += 1
            x >>= 7
        }
        buffer[n] = UInt8(x)
        n += 1
    }

    static func read(_ bytes: [UInt8], at i: inout Int) -> UInt64? {
        bytes.withUnsafeBufferPointer { read($0, at: &i) }
    }

    /// Reads the varint at `bytes[i...]` and moves `i` past it; nil when the bytes end inside it.
    @inline(__always)
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, at i: inout Int) -> UInt64? {
        if i < bytes.count, bytes[i] < 0x80 {
            i += 1
            return UInt64(bytes[i - 1])
        }
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
