import MeshtopModel

extension MetricDistribution {
    private struct BucketKey: Hashable {
        var lower: Double
        var upper: Double
    }

    /// This cumulative point minus the previous one of the same series (same start, count not lower).
    ///
    /// Count, sum and bucket counts are differences (buckets matched by their bounds). When the layout changed
    /// so that the buckets do not subtract (an exponential histogram that rescaled), the current buckets are
    /// scaled to the delta's count. Min and max of a cumulative point cover the series' whole life: the delta's
    /// max is the new max when it grew, else the upper bound of the highest bucket that grew (capped by the max);
    /// min likewise. Summary quantiles are the current ones (they describe a recent window, not a total).
    func subtracting(_ previous: MetricDistribution) -> MetricDistribution {
        let count = self.count - previous.count
        guard count > 0 else { return MetricDistribution(count: 0, sum: 0) }
        var sum: Double?
        if let a = self.sum, let b = previous.sum { sum = a - b }
        var before: [BucketKey: Double] = [:]
        for b in previous.buckets where b.count > 0 {
            before[BucketKey(lower: b.lower, upper: b.upper), default: 0] += b.count
        }
        var buckets: [Bucket] = []
        var consistent = true
        for b in self.buckets {
            let d = b.count - (before.removeValue(forKey: BucketKey(lower: b.lower, upper: b.upper)) ?? 0)
            if d < 0 { consistent = false }
            if d > 0 { buckets.append(Bucket(lower: b.lower, upper: b.upper, count: d)) }
        }
        if !consistent || !before.isEmpty {
            let f = self.count > 0 ? count / self.count : 0
            buckets = self.buckets.filter { $0.count > 0 }.map {
                Bucket(lower: $0.lower, upper: $0.upper, count: $0.count * f)
            }
        }
        var lo: Double?
        var hi: Double?
        if let m = self.min {
            if let p = previous.min, m >= p {
                lo = buckets.first.map { Swift.max($0.lower.isFinite ? $0.lower : m, m) }
            } else {
                lo = m
            }
        }
        if let m = self.max {
            if let p = previous.max, m <= p {
                hi = buckets.last.map { Swift.min($0.upper.isFinite ? $0.upper : m, m) }
            } else {
                hi = m
            }
        }
        return MetricDistribution(count: count, sum: sum, min: lo, max: hi, buckets: buckets, quantiles: quantiles)
    }
}
