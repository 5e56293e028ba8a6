import MeshtopModel

/// Decodes StatsD and DogStatsD metric lines (etsy/statsd `docs/metric_types.md`, DataDog `datagram_shell.md`).
///
/// Grammar accepted for one line (no newline):
/// `name:value[:value…]|type[|@rate][|#tag,tag:v][|c:container][|e:external][|card:x][|T<unix>]`,
/// optionally followed by further `:value|type[|@rate]` parts for the same name (etsy's multi-metric form).
/// - Types `c g ms h d s`. Several values packed before one type (`name:1:2:3|d`) give one sample each, for every
///   type; a set member therefore cannot contain `:`.
/// - A gauge value written with a leading `+`/`-` is marked `isDelta` (the aggregator decides delta vs. set).
/// - `@rate` must be in (0, 1]; it is kept as sent for every type (the aggregator ignores it for gauges and
///   sets). Tags are split on `,`, empty ones dropped, and sorted. `|T` seconds become µs.
/// - `|c:`, `|e:`, `|card:` and unknown `|x` fields are accepted and ignored (forward compatible, as the Datadog
///   agent does). Anything else malformed rejects the whole line as `.statsd`.
public enum StatsDDecoder {
    /// Decodes one line, appending one `.metric` per value. On failure nothing is appended and the reason returned.
    public static func decode(line: UnsafeRawBufferPointer, into out: inout [Decoded]) -> RejectReason? {
        decode(line.assumingMemoryBound(to: UInt8.self), into: &out)
    }

    /// Convenience for tests and tools: the `.metric`s of one line, or a single `.rejected`.
    public static func decode(_ line: String) -> [Decoded] {
        var out: [Decoded] = []
        var copy = line
        if let reason = copy.withUTF8({ decode($0, into: &out) }) {
            return [.rejected(reason, sample: Array(line.utf8.prefix(512)))]
        }
        return out
    }

    static func decode(_ p: LineBytes, into out: inout [Decoded]) -> RejectReason? {
        let mark = out.count
        if parse(p, into: &out) { return nil }
        out.removeSubrange(mark...)
        return .statsd
    }

    /// The shared fields after the type (`@rate`, tags, timestamp) of one part.
    private struct Extras {
        var rate = 1.0
        var tags: [String] = []
        var timestamp: Int64?
    }

    private static func parse(_ p: LineBytes, into out: inout [Decoded]) -> Bool {
        let end = p.count
        let colon = ByteScan.find(UInt8(ascii: ":"), p, 0, end)
        guard colon > 0, colon < end else { return false }
        var ascii = true
        for i in 0..<colon {
            let b = p[i]
            if b == UInt8(ascii: "|") || b <= 0x20 { return false }
            if b >= 0x80 { ascii = false }
        }
        let name = ByteScan.string(p, 0, colon)
        var i = colon + 1
        while i < end {
            // values up to the first '|'
            let valuesEnd = ByteScan.find(UInt8(ascii: "|"), p, i, end)
            guard valuesEnd < end, valuesEnd > i else { return false }
            // type up to '|' or ':' (':' starts another part of the same name)
            var typeEnd = valuesEnd + 1
            while typeEnd < end, p[typeEnd] != UInt8(ascii: "|"), p[typeEnd] != UInt8(ascii: ":") { typeEnd += 1 }
            guard let type = metricType(p, valuesEnd + 1, typeEnd) else { return false }
            var extras = Extras()
            var j = typeEnd
            while j < end, p[j] == UInt8(ascii: "|") {
                j += 1
                if j < end, p[j] == UInt8(ascii: "@") {
                    var k = j + 1
                    while k < end, p[k] != UInt8(ascii: "|"), p[k] != UInt8(ascii: ":") { k += 1 }
                    guard let rate = ByteScan.double(p, j + 1, k), rate > 0, rate <= 1 else { return false }
                    extras.rate = rate
                    j = k
                    continue
                }
                let k = ByteScan.find(UInt8(ascii: "|"), p, j, end)
                guard field(p, j, k, into: &extras) else { return false }
                j = k
            }
            let service = service(p, nameEnd: colon, ascii: ascii, name: name, tags: extras.tags)
            guard emit(p, i, valuesEnd, name: name, service: service, type: type, extras: extras, into: &out)
            else { return false }
            if j < end {
                // p[j] == ':' : another value|type part follows
                i = j + 1
                guard i < end else { return false }
            } else {
                i = end
            }
        }
        return true
    }

    private static func field(_ p: LineBytes, _ from: Int, _ to: Int, into extras: inout Extras) -> Bool {
        guard from < to else { return false }
        switch p[from] {
        case UInt8(ascii: "#"):
            DogStatsDDecoder.appendTags(p, from + 1, to, into: &extras.tags)
            extras.tags.sort()
        case UInt8(ascii: "T"):
            guard let secs = ByteScan.unsigned(p, from + 1, to), secs < 100_000_000_000 else { return false }
            extras.timestamp = secs * 1_000_000
        default:
            break
        }
        return true
    }

    private static func metricType(_ p: LineBytes, _ from: Int, _ to: Int) -> MetricType? {
        switch to - from {
        case 1:
            switch p[from] {
            case UInt8(ascii: "c"): return .counter
            case UInt8(ascii: "g"): return .gauge
            case UInt8(ascii: "h"): return .histogram
            case UInt8(ascii: "d"): return .distribution
            case UInt8(ascii: "s"): return .set
            default: return nil
            }
        case 2:
            return p[from] == UInt8(ascii: "m") && p[from + 1] == UInt8(ascii: "s") ? .timer : nil
        default:
            return nil
        }
    }

    /// `MetricSample.defaultService(name:tags:)`, found on the bytes when the name is ASCII and no tag names the
    /// service: the name up to its first `.` (an ASCII `.` is a `Character` of its own, so this is where
    /// `firstIndex(of: ".")` stops). Measured: the `Character` walk was half of the StatsD parse.
    private static func service(_ p: LineBytes, nameEnd: Int, ascii: Bool, name: String, tags: [String]) -> String {
        guard ascii, !tags.contains(where: { $0.hasPrefix("service:") }) else {
            return MetricSample.defaultService(name: name, tags: tags)
        }
        let dot = ByteScan.find(UInt8(ascii: "."), p, 0, nameEnd)
        return dot < nameEnd ? ByteScan.string(p, 0, dot) : name
    }

    /// One sample per `:`-separated value in `p[from..<to]`.
    private static func emit(
        _ p: LineBytes, _ from: Int, _ to: Int, name: String, service: String, type: MetricType, extras: Extras,
        into out: inout [Decoded]
    ) -> Bool {
        var v = from
        while v <= to {
            let e = ByteScan.find(UInt8(ascii: ":"), p, v, to)
            guard e > v else { return false }
            var sample: MetricSample
            if type == .set {
                sample = MetricSample(
                    name: name, type: .set, value: 0, setMember: ByteScan.string(p, v, e), sampleRate: extras.rate,
                    tags: extras.tags, timestampMicros: extras.timestamp, service: service)
            } else {
                guard let value = ByteScan.double(p, v, e) else { return false }
                let signed = p[v] == UInt8(ascii: "+") || p[v] == UInt8(ascii: "-")
                sample = MetricSample(
                    name: name, type: type, value: value, isDelta: type == .gauge && signed,
                    sampleRate: extras.rate, tags: extras.tags,
                    timestampMicros: extras.timestamp, service: service)
            }
            out.append(.metric(sample))
            v = e + 1
        }
        return true
    }
}
