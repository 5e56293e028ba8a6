import Foundation
import MeshtopModel
import MeshtopOTLPProto

/// `ExportMetricsServiceRequest` → metric samples for the StatsD aggregator, which rolls them up with StatsD's
/// samples on the receive clock (points are not stored at their own timestamps).
///
/// - Monotonic Sum → counter (delta temporality: the value; cumulative: the delta by `CumulativeToDelta`).
/// - Non-monotonic Sum → gauge (cumulative: the value; delta: a signed change, like StatsD `+N`/`-N`).
/// - Gauge → gauge.
/// - Histogram and ExponentialHistogram → a `.distribution` carrying the point (`MetricDistribution`: count,
///   sum, min, max, buckets); cumulative ones become deltas first. Exponential buckets become explicit ones:
///   index i at scale s is `(base^i, base^(i+1)]` with base `2^(2^-s)`, negative ones mirrored, the zero bucket
///   `[-zero_threshold, zero_threshold]`.
/// - Summary → a `.distribution` with its quantiles; count and sum made deltas (OTLP summaries are cumulative).
///
/// Tags: the point attributes as `k:v` plus `service:<resource service.name>`, sorted. Series identity for
/// `CumulativeToDelta`: name, data kind, all resource attributes, point attributes. Points flagged
/// `NO_RECORDED_VALUE` are skipped. Rejected points: no value, non-finite values, negative counter values,
/// unspecified temporality, bucket counts that do not match the bounds, more than `maxBuckets` buckets, an
/// exponential scale outside -10...20, a metric without data (one rejection).
enum OTLPMetrics {
    static let maxBuckets = 4096
    typealias Request = Opentelemetry_Proto_Collector_Metrics_V1_ExportMetricsServiceRequest
    typealias NumberPoint = Opentelemetry_Proto_Metrics_V1_NumberDataPoint
    typealias HistogramPoint = Opentelemetry_Proto_Metrics_V1_HistogramDataPoint
    typealias ExponentialPoint = Opentelemetry_Proto_Metrics_V1_ExponentialHistogramDataPoint
    typealias SummaryPoint = Opentelemetry_Proto_Metrics_V1_SummaryDataPoint

    /// One metric's context while its points are read.
    struct Context {
        var name: String
        var service: String
        /// The resource attributes' `identity`.
        var resourceKey: String

        /// A point's series identity for `CumulativeToDelta`.
        func series(_ kind: String, _ p: some DataPoint) -> String {
            [name, kind, resourceKey, OTLPMetrics.identity(OTLPValues.attributes(p.attributes))]
                .joined(separator: "\u{1F}")
        }
    }

    static func decode(_ request: Request, cumulative: inout CumulativeToDelta) -> OTLPDecoded {
        var out = OTLPDecoded()
        for rm in request.resourceMetrics {
            let resource = OTLPValues.attributes(rm.resource.attributes)
            let service = OTLPValues.service(resource)
            let resourceKey = identity(resource)
            for sm in rm.scopeMetrics {
                for m in sm.metrics {
                    let c = Context(name: m.name, service: service, resourceKey: resourceKey)
                    switch m.data {
                    case .gauge(let g)?:
                        for p in g.dataPoints where !skipped(p.flags) {
                            number(p, c, .gauge, isDelta: false, into: &out)
                        }
                    case .sum(let s)?:
                        sum(s, c, cumulative: &cumulative, into: &out)
                    case .histogram(let h)?:
                        distributions(
                            h.dataPoints, c, "histogram", h.aggregationTemporality, explicit, &cumulative, into: &out)
                    case .exponentialHistogram(let h)?:
                        distributions(
                            h.dataPoints, c, "exponential", h.aggregationTemporality, exponential, &cumulative,
                            into: &out)
                    case .summary(let s)?:
                        distributions(s.dataPoints, c, "summary", .cumulative, summary, &cumulative, into: &out)
                    case nil:
                        out.reject(.invalidMetricPoint)
                    }
                }
            }
        }
        out.finish(noun: "data points")
        return out
    }

    /// `DataPointFlags.FLAG_NO_RECORDED_VALUE`.
    static func skipped(_ flags: UInt32) -> Bool { flags & 1 != 0 }

    static func value(_ p: NumberPoint) -> Double? {
        switch p.value {
        case .asInt(let i)?: return Double(i)
        case .asDouble(let d)?: return d.isFinite ? d : nil
        case nil: return nil
        }
    }

    static func sum(
        _ s: Opentelemetry_Proto_Metrics_V1_Sum, _ c: Context, cumulative: inout CumulativeToDelta,
        into out: inout OTLPDecoded
    ) {
        for p in s.dataPoints where !skipped(p.flags) {
            switch (s.aggregationTemporality, s.isMonotonic) {
            case (.cumulative, true):
                guard let v = value(p), v >= 0 else {
                    out.reject(.invalidMetricPoint)
                    continue
                }
                let d = cumulative.delta(
                    series: c.series("sum", p), start: p.startTimeUnixNano, time: p.timeUnixNano, value: v)
                if let d {
                    var smp = sample(c, p.attributes, .counter, d)
                    smp.exemplarTraceIDs = p.exemplarTraceIDs
                    out.records.append(.metric(smp))
                }
            case (.cumulative, false): number(p, c, .gauge, isDelta: false, into: &out)
            case (.delta, let monotonic): number(p, c, monotonic ? .counter : .gauge, isDelta: !monotonic, into: &out)
            default: out.reject(.invalidMetricPoint)
            }
        }
    }

    /// Gauges, non-monotonic sums and delta monotonic sums: no state needed.
    static func number(_ p: NumberPoint, _ c: Context, _ type: MetricType, isDelta: Bool, into out: inout OTLPDecoded) {
        guard let v = value(p), !(type == .counter && v < 0) else {
            out.reject(.invalidMetricPoint)
            return
        }
        var s = sample(c, p.attributes, type, v)
        s.isDelta = isDelta
        s.exemplarTraceIDs = p.exemplarTraceIDs
        out.records.append(.metric(s))
    }

    /// Histogram, exponential histogram and summary points, each converted by `convert`.
    static func distributions<P: DataPoint>(
        _ points: [P], _ c: Context, _ kind: String,
        _ temporality: Opentelemetry_Proto_Metrics_V1_AggregationTemporality,
        _ convert: (P) -> MetricDistribution?, _ cumulative: inout CumulativeToDelta, into out: inout OTLPDecoded
    ) {
        for p in points where !skipped(p.flags) {
            guard let d = convert(p), temporality != .unspecified else {
                out.reject(.invalidMetricPoint)
                continue
            }
            var delta: MetricDistribution? = d
            if temporality == .cumulative {
                delta = cumulative.delta(
                    series: c.series(kind, p), start: p.startTimeUnixNano, time: p.timeUnixNano, distribution: d)
            }
            guard let delta else { continue }
            let mean = delta.count > 0 ? (delta.sum ?? 0) / delta.count : 0
            var s = sample(c, p.attributes, .distribution, mean)
            s.distribution = delta
            s.exemplarTraceIDs = p.exemplarTraceIDs
            out.records.append(.metric(s))
        }
    }

    static func sample(_ c: Context, _ attributes: [ProtoKeyValue], _ type: MetricType, _ value: Double) -> MetricSample
    {
        var tags = attributes.map { $0.key + ":" + OTLPValues.value($0.value).text }
        tags.append("service:" + c.service)
        tags.sort()
        return MetricSample(name: c.name, type: type, value: value, tags: tags, service: c.service)
    }

    /// Sorted `key=value` text of attributes: a series identity.
    static func identity(_ attributes: [Attribute]) -> String {
        attributes.map { $0.key + "=" + JSONText.encode($0.value) }.sorted().joined(separator: "\u{1E}")
    }
}

/// What every OTLP data point has.
protocol DataPoint {
    var attributes: [ProtoKeyValue] { get }
    var startTimeUnixNano: UInt64 { get }
    var timeUnixNano: UInt64 { get }
    var flags: UInt32 { get }
    /// The trace ids of the point's exemplars (16 non-zero bytes; others left out), distinct, in order.
    var exemplarTraceIDs: [TraceID] { get }
}

extension OTLPMetrics {
    static func traceIDs(_ exemplars: [Opentelemetry_Proto_Metrics_V1_Exemplar]) -> [TraceID] {
        var out: [TraceID] = []
        for e in exemplars {
            if let id = OTLPValues.traceID(e.traceID), !out.contains(id) { out.append(id) }
        }
        return out
    }
}

extension Opentelemetry_Proto_Metrics_V1_NumberDataPoint: DataPoint {
    var exemplarTraceIDs: [TraceID] { exemplars.isEmpty ? [] : OTLPMetrics.traceIDs(exemplars) }
}
extension Opentelemetry_Proto_Metrics_V1_HistogramDataPoint: DataPoint {
    var exemplarTraceIDs: [TraceID] { exemplars.isEmpty ? [] : OTLPMetrics.traceIDs(exemplars) }
}
extension Opentelemetry_Proto_Metrics_V1_ExponentialHistogramDataPoint: DataPoint {
    var exemplarTraceIDs: [TraceID] { exemplars.isEmpty ? [] : OTLPMetrics.traceIDs(exemplars) }
}
extension Opentelemetry_Proto_Metrics_V1_SummaryDataPoint: DataPoint {
    /// Summaries carry no exemplars.
    var exemplarTraceIDs: [TraceID] { [] }
}
