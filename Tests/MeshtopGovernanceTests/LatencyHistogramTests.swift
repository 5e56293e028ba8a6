import MeshtopModel
import Testing

@testable import MeshtopGovernance

@Suite struct LatencyHistogramTests {
    /// 1 ms … 100 ms, one each: p50 is 50 ms and p99 99 ms within HdrHistogram's 2-digit (1 %) precision.
    @Test func percentilesOfKnownLatencies() {
        var h = LatencyHistogram()
        for ms in 1...100 { h.record(Int64(ms) * 1000) }
        #expect(h.count == 100)
        #expect(h.max == 100_000)
        #expect(abs(h.percentile(50) - 50_000) <= 500)
        #expect(abs(h.percentile(90) - 90_000) <= 900)
        #expect(abs(h.percentile(99) - 99_000) <= 990)
        #expect(h.percentile(100) == 100_000)
    }

    @Test func encodeDecodeRoundTrip() throws {
        var h = LatencyHistogram()
        for v in [3, 250, 251, 9_999, 1_000_000, 5_000_000_000] as [Int64] { h.record(v) }
        let bytes = h.encode()
        #expect(bytes.count < 40)
        let d = try #require(LatencyHistogram(decoding: bytes))
        #expect(d.count == 6)
        #expect(d.max == 3_600_000_000)
        for p in [10.0, 50, 90, 99] { #expect(d.percentile(p) == h.percentile(p)) }
        #expect(LatencyHistogram(decoding: [9, 1, 2]) == nil)
        #expect(LatencyHistogram(decoding: [])?.count == 0)
    }

    /// Merging two minutes equals recording both into one histogram; averaging their p99s would not.
    @Test func mergeIsNotAnAverage() {
        var fast = LatencyHistogram()
        var slow = LatencyHistogram()
        var all = LatencyHistogram()
        for _ in 0..<99 {
            fast.record(10_000)
            all.record(10_000)
        }
        for _ in 0..<99 {
            slow.record(1_000_000)
            all.record(1_000_000)
        }
        var merged = LatencyHistogram(decoding: fast.encode())!
        merged.merge(LatencyHistogram(decoding: slow.encode())!)
        #expect(merged.percentile(99) == all.percentile(99))
        #expect(merged.percentile(40) == all.percentile(40))
        #expect(abs(merged.percentile(99) - 1_000_000) <= 10_000)
        #expect(merged.max == 1_000_000)
    }

    /// T = 500 ms: 100, 400, 500 satisfied; 600, 2000 tolerating; 2001, 3000 frustrated → (3 + 2/2) / 7.
    @Test func apdexCounts() {
        let ms: [Int64] = [100, 400, 500, 600, 2000, 2001, 3000]
        let zones = ms.map { Apdex.zone(durationMicros: $0 * 1000, tMicros: 500_000) }
        #expect(zones == [2, 2, 2, 1, 1, 0, 0])
        let score = Apdex.score(satisfied: 3, tolerating: 2, total: 7)!
        #expect(abs(score - 4.0 / 7.0) < 1e-12)
        #expect(Apdex.score(satisfied: 0, tolerating: 0, total: 0) == nil)
    }

    @Test func healthFollowsKialiThresholds() {
        func h(_ req: Int64, _ err: Int64, p99: Int64 = 10_000, apdex: Double = 1, open: Bool = false) -> HealthState {
            Health.evaluate(requests: req, errors: err, p99Micros: p99, apdex: apdex, inboundBreakerOpen: open)
        }
        #expect(h(0, 0) == .idle)
        #expect(h(1000, 0) == .healthy)
        #expect(h(1000, 1) == .healthy)  // 0.1 % is not above 0.1 %
        #expect(h(1000, 2) == .degraded)
        #expect(h(1000, 99) == .degraded)
        #expect(h(1000, 100) == .failing)  // 10 % is failing
        #expect(h(1000, 0, p99: 1_000_001) == .degraded)
        #expect(h(1000, 0, p99: 1_000_000) == .healthy)
        #expect(h(1000, 0, apdex: 0.84) == .degraded)
        #expect(h(1000, 0, open: true) == .failing)
        let strict = HealthThresholds(latencyObjectiveMicros: 200_000, failingErrorRate: 5)
        #expect(
            Health.evaluate(
                requests: 100, errors: 5, p99Micros: 1, apdex: 1, inboundBreakerOpen: false,
                thresholds: strict) == .failing)
    }

    @Test func redSummaryMergesRollups() {
        var a = LatencyHistogram()
        var b = LatencyHistogram()
        a.record(100_000)
        a.record(200_000)
        b.record(3_000_000)
        let r1 = ServiceRollup(
            minuteMicros: 0, service: "s", requests: 2, errors: 0, sumMicros: 300_000, maxMicros: 200_000,
            satisfied: 2, tolerating: 0, histogram: a.encode())
        let r2 = ServiceRollup(
            minuteMicros: 60_000_000, service: "s", requests: 1, errors: 1, sumMicros: 3_000_000,
            maxMicros: 3_000_000, satisfied: 0, tolerating: 0, histogram: b.encode())
        let s = REDSummary.merge(rollups: [r1, r2], windowMicros: 120_000_000)
        #expect(s.requests == 3)
        #expect(s.errors == 1)
        #expect(abs(s.errorRate - 100.0 / 3) < 1e-9)
        #expect(abs(s.rps - 3.0 / 120) < 1e-12)
        #expect(s.maxMs == 3000)
        #expect(abs(s.meanMs - 1100) < 1e-9)
        #expect(abs(s.apdex! - 2.0 / 3) < 1e-12)
        #expect(abs(s.p50Ms - 200) <= 2)
        #expect(s.health(inboundBreakerOpen: false) == .failing)
        let e = REDSummary.merge(
            edgeRollups: [
                EdgeRollup(
                    minuteMicros: 0, caller: "a", callee: "s", calls: 2, errors: 1, sumMicros: 300_000,
                    maxMicros: 200_000, histogram: a.encode())
            ], windowMicros: 60_000_000)
        #expect(e.requests == 2 && e.errorRate == 50 && e.apdex == nil && e.maxMs == 200)
    }
}

@Suite struct LatencyHistogramLayoutTests {
    /// The bucket arithmetic used for fast walks agrees with HdrHistogram's own equivalence ranges.
    @Test func bucketMathMatchesHdrHistogram() {
        let h = LatencyHistogram()
        var v: UInt64 = 1
        while v < LatencyHistogram.highestTrackableMicros {
            for x in [v, v + 1, v * 3 / 2] where x <= LatencyHistogram.highestTrackableMicros {
                #expect(LatencyHistogram.bucketWidth(x) == h.hdr.sizeOfEquivalentRangeForValue(x))
                #expect(LatencyHistogram.bucketStart(x) == h.hdr.lowestEquivalentForValue(x))
            }
            v *= 2
        }
    }

    /// `percentiles` follows HdrHistogram's `valueAtPercentile` (capped at the exact max).
    @Test func percentilesMatchValueAtPercentile() {
        var h = LatencyHistogram()
        var r: UInt64 = 7
        for _ in 0..<500 {
            r = r &* 6_364_136_223_846_793_005 &+ 1
            h.record(Int64(r >> 40) % 3_000_000 + 1)
        }
        for p in [1.0, 25, 50, 90, 99, 99.9] {
            #expect(h.percentile(p) == min(Int64(h.hdr.valueAtPercentile(p)), h.max))
        }
    }

    /// Bytes written by `encode()` before it walked the occupancy bitmap (format version 1, as stored in rollup
    /// rows): they still decode, and today's `encode()` writes exactly the same bytes for the same values.
    @Test func storedEncodingIsUnchanged() throws {
        let stored: [UInt8] = [
            1, 128, 200, 206, 180, 13, 1, 2, 2, 1, 252, 1, 1, 2, 2, 254, 1, 1, 236, 3, 174, 2, 148, 156, 4, 1, 128,
            220, 3, 1, 128, 160, 4, 1, 128, 224, 243, 58, 2, 128, 128, 128, 253, 12, 1,
        ]
        var h = LatencyHistogram()
        for v: Int64 in [0, 1, 3, 255, 256, 257, 511, 1000, 1003, 70_000, 131_071, 200_000, 5_000_000_000] {
            h.record(v)
        }
        h.record(1000, times: 300)
        h.record(123_456_789, times: 2)
        #expect(h.encode() == stored)
        let decoded = try #require(LatencyHistogram(decoding: stored))
        #expect(decoded.count == 315 && decoded.max == 3_600_000_000)
        #expect(decoded.encode() == stored)
        for p in [1.0, 50, 90, 99, 99.9] { #expect(decoded.percentile(p) == h.percentile(p)) }
        #expect(LatencyHistogram().encode() == [1, 0])
    }

    /// The bitmap walk of `encode()` writes what a walk over every bucket between the smallest and largest value
    /// writes, after records, merges and decodes.
    @Test func encodeMatchesAFullBucketWalk() throws {
        func walked(_ h: LatencyHistogram) -> [UInt8] {
            var out: [UInt8] = [1]
            Varint.append(UInt64(h.max), to: &out)
            guard h.count > 0 else { return out }
            var previous: UInt64 = 0
            var v = LatencyHistogram.bucketStart(h.hdr.minNonZero)
            while v <= h.hdr.maxRecorded {
                let c = h.hdr.countForValue(v)
                let width = LatencyHistogram.bucketWidth(v)
                if c > 0 {
                    Varint.append(v + width - 1 - previous, to: &out)
                    Varint.append(UInt64(c), to: &out)
                    previous = v + width - 1
                }
                v += width
            }
            return out
        }
        var r: UInt64 = 11
        var all = LatencyHistogram()
        let shapes: [(Int, Int64)] = [(50, 300), (400, 200_000), (3_000, 5_000_000), (20, 3_600_000_000), (1, 1)]
        for (n, range) in shapes {
            var h = LatencyHistogram()
            for _ in 0..<n {
                r = r &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                h.record(Int64(r >> 33) % range + 1, times: Int64(r >> 60) + 1)
            }
            #expect(h.encode() == walked(h))
            let d = try #require(LatencyHistogram(decoding: h.encode()))
            #expect(d.encode() == walked(d) && d.encode() == h.encode())
            all.merge(h)
            #expect(all.encode() == walked(all))
            var e = LatencyHistogram()
            e.merge(encoded: all.encode())
            #expect(e.encode() == all.encode())
        }
    }

    /// Every slot of the counts array maps to its bucket's lowest value and back, in value order.
    @Test func slotsFollowHdrHistogramIndices() {
        var previous: UInt64 = 0
        for i in 0...LatencyHistogram.slot(of: LatencyHistogram.highestTrackableMicros) {
            let v = LatencyHistogram.slotStart(i)
            #expect(LatencyHistogram.slot(of: v) == i)
            #expect(LatencyHistogram.bucketStart(v) == v)
            if i > 0 { #expect(v > previous) }
            previous = v
        }
        let top = LatencyHistogram.slot(of: LatencyHistogram.highestTrackableMicros)
        #expect(LatencyHistogram.occupiedWords * 64 > top)
    }

    /// The percentile of several blobs (merged run by run) and of several histograms (walked from the top) equals
    /// the percentile of the merged histogram.
    @Test func percentileOfSeveralMatchesMerging() throws {
        var r: UInt64 = 5
        for count in 1...5 {
            var merged = LatencyHistogram()
            var histograms = [LatencyHistogram()]
            for b in 0..<count {
                var h = LatencyHistogram()
                for _ in 0..<(b * 97 + 13) {
                    r = r &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    h.record(Int64(r >> 40) % 300_000 + 100, times: Int64(r >> 62) + 1)
                }
                merged.merge(h)
                histograms.append(h)
            }
            let encoded = histograms.map { $0.encode() } + [[]]
            for p in [0.0, 1, 50, 90, 99, 99.9, 100] {
                #expect(LatencyHistogram.percentile(ofEncoded: encoded, p) == merged.percentile(p))
                #expect(LatencyHistogram.percentile(of: histograms, p) == merged.percentile(p))
            }
        }
        #expect(LatencyHistogram.percentile(ofEncoded: [[]], 99) == nil)
        #expect(LatencyHistogram.percentile(ofEncoded: [[2, 0]], 99) == nil)
        #expect(LatencyHistogram.percentile(of: [LatencyHistogram()], 99) == nil)
        #expect(LatencyHistogram.percentile(of: [], 99) == nil)
    }
}
