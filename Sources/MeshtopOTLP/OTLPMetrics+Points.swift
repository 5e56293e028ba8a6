import Foundation
import MeshtopModel
import MeshtopOTLPProto

/// OTLP histogram and summary points → `MetricDistribution`; nil for a point that cannot be used. Only non-empty
/// buckets are kept.
extension OTLPMetrics {
    static func explicit(_ p: HistogramPoint) -> MetricDistribution? {
        let bounds = p.explicitBounds
        let counts = p.bucketCounts
        guard counts.count <= maxBuckets, counts.isEmpty || counts.count == bounds.count + 1,
            bounds.allSatisfy(\.isFinite), zip(bounds, bounds.dropFirst()).allSatisfy({ $0 < $1 })
        else { return nil }
        var buckets: [MetricDistribution.Bucket] = []
        var total: UInt64 = 0
        for (i, c) in counts.enumerated() where c > 0 {
            let (sum, overflow) = total.addingReportingOverflow(c)
            guard !overflow else { return nil }
            total = sum
            buckets.append(
                MetricDistribution.Bucket(
                    lower: i == 0 ? -.infinity : bounds[i - 1], upper: i == bounds.count ? .infinity : bounds[i],
                    count: Double(c)))
        }
        guard counts.isEmpty || total == p.count else { return nil }
        return MetricDistribution(
            count: Double(p.count), sum: finite(p.hasSum, p.sum), min: finite(p.hasMin, p.min),
            max: finite(p.hasMax, p.max), buckets: buckets)
    }

    static func exponential(_ p: ExponentialPoint) -> MetricDistribution? {
        guard (-10...20).contains(p.scale), p.positive.bucketCounts.count <= maxBuckets,
            p.negative.bucketCounts.count <= maxBuckets, p.zeroThreshold.isFinite, p.zeroThreshold >= 0
        else { return nil }
        // base^i = 2^(i * 2^-scale)
        let step = exp2(-Double(p.scale))
        func bound(_ i: Int) -> Double { exp2(Double(i) * step) }
        var buckets: [MetricDistribution.Bucket] = []
        let negative = p.negative
        for (k, c) in negative.bucketCounts.enumerated().reversed() where c > 0 {
            let i = Int(negative.offset) + k
            buckets.append(MetricDistribution.Bucket(lower: -bound(i + 1), upper: -bound(i), count: Double(c)))
        }
        if p.zeroCount > 0 {
            buckets.append(
                MetricDistribution.Bucket(lower: -p.zeroThreshold, upper: p.zeroThreshold, count: Double(p.zeroCount)))
        }
        let positive = p.positive
        for (k, c) in positive.bucketCounts.enumerated() where c > 0 {
            let i = Int(positive.offset) + k
            buckets.append(MetricDistribution.Bucket(lower: bound(i), upper: bound(i + 1), count: Double(c)))
        }
        return MetricDistribution(
            count: Double(p.count), sum: finite(p.hasSum, p.sum), min: finite(p.hasMin, p.min),
            max: finite(p.hasMax, p.max), buckets: buckets)
    }

    static func summary(_ p: SummaryPoint) -> MetricDistribution? {
        guard p.quantileValues.count <= maxBuckets,
            p.quantileValues.allSatisfy({ (0...1).contains($0.quantile) && $0.value.isFinite })
        else { return nil }
        let quantiles = p.quantileValues.map { MetricDistribution.Quantile(quantile: $0.quantile, value: $0.value) }
            .sorted { $0.quantile < $1.quantile }
        return MetricDistribution(count: Double(p.count), sum: p.sum.isFinite ? p.sum : nil, quantiles: quantiles)
    }

    private static func finite(_ present: Bool, _ v: Double) -> Double? {
        present && v.isFinite ? v : nil
    }
}
