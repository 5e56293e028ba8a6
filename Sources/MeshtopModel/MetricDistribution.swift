/// A pre-aggregated distribution — one OTLP Histogram, ExponentialHistogram or Summary data point, already a
/// delta — carried by a `.distribution` `MetricSample` instead of a single value, so the StatsD aggregator can
/// merge it with other points of the series into one rollup (count, sum, min, max, percentiles).
public struct MetricDistribution: Hashable, Sendable {
    /// One bucket: the values in `(lower, upper]`, as the OTLP explicit-bucket histogram defines them.
    /// `lower` may be `-infinity` and `upper` `+infinity` for the outer buckets.
    public struct Bucket: Hashable, Sendable {
        public var lower: Double
        public var upper: Double
        public var count: Double

        public init(lower: Double, upper: Double, count: Double) {
            self.lower = lower
            self.upper = upper
            self.count = count
        }
    }

    /// A Summary quantile: `quantile` in 0...1 and the value at it.
    public struct Quantile: Hashable, Sendable {
        public var quantile: Double
        public var value: Double

        public init(quantile: Double, value: Double) {
            self.quantile = quantile
            self.value = value
        }
    }

    public var count: Double
    /// nil when the sender did not know it (OTLP makes `sum` optional).
    public var sum: Double?
    public var min: Double?
    public var max: Double?
    /// Ascending, non-overlapping; empty for a summary.
    public var buckets: [Bucket]
    /// Ascending by quantile; empty for a histogram.
    public var quantiles: [Quantile]

    public init(
        count: Double, sum: Double?, min: Double? = nil, max: Double? = nil, buckets: [Bucket] = [],
        quantiles: [Quantile] = []
    ) {
        self.count = count
        self.sum = sum
        self.min = min
        self.max = max
        self.buckets = buckets
        self.quantiles = quantiles
    }
}
