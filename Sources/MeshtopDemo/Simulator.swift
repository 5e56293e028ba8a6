import MeshtopModel

/// How a simulated service ships its data: the same bytes real clients send. Zipkin JSON, Jaeger thrift,
/// syslog, JSON and logfmt lines and StatsD go over UDP; `otlp-http` is OTLP/HTTP protobuf (`POST /v1/traces`,
/// `/v1/logs`) and `otlp-grpc` OTLP/gRPC, as an OpenTelemetry SDK's exporters send them.
public struct ServiceTransport: Sendable, Hashable {
    public enum SpanFormat: String, Sendable, CaseIterable {
        case zipkin, jaeger
        case otlpHTTP = "otlp-http"
        case otlpGRPC = "otlp-grpc"
    }
    public enum LogFormat: String, Sendable, CaseIterable {
        case syslog, json, logfmt
        case otlpHTTP = "otlp-http"
        case otlpGRPC = "otlp-grpc"
    }
    public enum MetricFormat: String, Sendable, CaseIterable { case statsd, dogstatsd }
    public var spans: SpanFormat
    public var logs: LogFormat
    public var metrics: MetricFormat
}

/// What one simulation step produced.
public struct SimulatedBatch: Sendable {
    public var spans: [Span] = []
    public var logs: [LogRecord] = []
    public var metrics: [MetricSample] = []
    /// Story lines that became true in this step.
    public var narration: [String] = []
}

/// Generates traces, logs and metrics for a scenario in simulated (event) time. Deterministic for a seed.
public struct Simulator: Sendable {
    public let scenario: Scenario
    public let startMicros: Int64
    public private(set) var elapsedMicros: Int64 = 0
    var rng: SeededRandom
    var latencyFactor: [String: Double] = [:]
    var errorOverride: [String: Double] = [:]
    var storyIndex = 0
    let story: [(at: Int64, step: Scenario.StoryStep)]
    let entryWeightTotal: Double
    public private(set) var requests: [String: Int] = [:]
    public private(set) var errors: [String: Int] = [:]

    public init(scenario: Scenario, startMicros: Int64, seed: UInt64? = nil) {
        self.scenario = scenario
        self.startMicros = startMicros
        self.rng = SeededRandom(seed: seed ?? scenario.seed ?? 1)
        self.story = (scenario.story ?? []).map { (DurationText.parseMicros($0.at) ?? 0, $0) }.sorted { $0.at < $1.at }
        self.entryWeightTotal = scenario.entry.reduce(0) { $0 + max($1.weight, 0) }
    }

    public var isFinished: Bool { elapsedMicros >= scenario.durationMicros }

    public func transport(of service: String) -> ServiceTransport {
        Self.transport(of: service, in: scenario)
    }

    /// The scenario's transports for `service`; unset: Zipkin JSON spans, JSON log lines, plain StatsD.
    public static func transport(of service: String, in scenario: Scenario) -> ServiceTransport {
        let s = scenario.services[service]
        return ServiceTransport(
            spans: ServiceTransport.SpanFormat(rawValue: s?.spans ?? "zipkin") ?? .zipkin,
            logs: ServiceTransport.LogFormat(rawValue: s?.logs ?? "json") ?? .json,
            metrics: ServiceTransport.MetricFormat(rawValue: s?.metrics ?? "statsd") ?? .statsd)
    }

    /// Advances simulated time by `stepMicros` and returns everything the services emitted in that step.
    public mutating func step(_ stepMicros: Int64) -> SimulatedBatch {
        var out = SimulatedBatch()
        let from = elapsedMicros
        let to = from + stepMicros
        while storyIndex < story.count, story[storyIndex].at <= to {
            apply(story[storyIndex].step, into: &out)
            storyIndex += 1
        }
        let roots = rng.poisson(scenario.rate * Double(stepMicros) / 1_000_000)
        var starts = (0..<roots).map { _ in from + Int64(rng.unit() * Double(stepMicros)) }
        starts.sort()
        for s in starts {
            let entry = pickEntry()
            let trace = TraceID(high: rng.next(), low: rng.next())
            _ = serve(
                service: entry.service, operation: entry.operation, trace: trace, parent: nil,
                start: startMicros + s, kind: nil, into: &out)
        }
        for g in scenario.gauges ?? [] {
            let v = max(g.floor ?? -Double.infinity, g.start + g.perSecond * Double(to) / 1_000_000)
            out.metrics.append(
                MetricSample(name: g.name, type: .gauge, value: v, tags: ["service:\(g.service)"], service: g.service))
        }
        elapsedMicros = to
        return out
    }

    mutating func apply(_ step: Scenario.StoryStep, into out: inout SimulatedBatch) {
        if let svc = step.service {
            if step.reset == true {
                latencyFactor[svc] = nil
                errorOverride[svc] = nil
            }
            if let f = step.latencyFactor { latencyFactor[svc] = f }
            if let e = step.errors { errorOverride[svc] = e }
        }
        if let say = step.say { out.narration.append("[\(step.at)] \(say)") }
    }

    mutating func pickEntry() -> Scenario.EntrySpec {
        var r = rng.unit() * entryWeightTotal
        for e in scenario.entry {
            r -= max(e.weight, 0)
            if r < 0 { return e }
        }
        return scenario.entry[scenario.entry.count - 1]
    }

    mutating func newSpanID() -> SpanID {
        var id = rng.next()
        if id == 0 { id = 1 }
        return SpanID(id)
    }

    /// Simulates `service` handling `operation` from `start`; returns (end, failed).
    mutating func serve(
        service: String, operation: String, trace: TraceID, parent: SpanID?, start: Int64, kind: SpanKind?,
        into out: inout SimulatedBatch
    ) -> (Int64, Bool) {
        guard let spec = scenario.services[service]?.operations[operation] else { return (start, false) }
        let spanID = newSpanID()
        let factor = latencyFactor[service] ?? 1
        let p50 = Double(DurationText.parseMicros(spec.p50) ?? 1000)
        let p99 = Double(DurationText.parseMicros(spec.p99) ?? 10000)
        let selfTime = Int64(rng.logNormal(p50: p50, p99: p99) * factor) + 50
        var cursor = start + selfTime * 3 / 10
        var childFailed = false
        for call in spec.calls ?? [] where rng.chance(call.probability ?? 1) {
            for _ in 0..<max(call.count ?? 1, 1) {
                if call.async == true {
                    cursor = publish(service: service, call: call, trace: trace, parent: spanID, at: cursor, into: &out)
                    continue
                }
                var attempt = 0
                while true {
                    let (end, failed) = callOut(
                        service: service, call: call, trace: trace, parent: spanID, at: cursor, into: &out)
                    cursor = end
                    if failed && attempt < (call.retries ?? 0) {
                        attempt += 1
                        continue
                    }
                    if failed { childFailed = true }
                    break
                }
            }
        }
        let end = cursor + selfTime * 7 / 10
        let ownFailure = rng.chance(errorOverride[service] ?? spec.errors ?? 0)
        let failed = ownFailure || childFailed
        let spanKind = kind ?? (spec.kind.flatMap { SpanKind(name: $0) } ?? .server)
        let status: Int64 = failed ? (ownFailure ? 500 : 502) : 200
        var attrs: [Attribute] = []
        if spanKind == .server {
            let parts = operation.split(separator: " ", maxSplits: 1)
            if parts.count == 2 {
                attrs.append(Attribute("http.method", .string(String(parts[0]))))
                attrs.append(Attribute("http.route", .string(String(parts[1]))))
            }
            attrs.append(Attribute("http.status_code", .int(status)))
        } else {
            attrs.append(Attribute("messaging.operation", .string("process")))
        }
        let host = scenario.services[service]?.host ?? "\(service)-1"
        attrs.append(Attribute("host.name", .string(host)))
        out.spans.append(
            Span(
                traceID: trace, spanID: spanID, parentID: parent, service: service, name: operation, kind: spanKind,
                startMicros: start, durationMicros: end - start, isError: failed, status: failed ? .error : .unset,
                statusMessage: failed ? (ownFailure ? "internal error" : "dependency failed") : nil,
                attributes: attrs))
        requests[service, default: 0] += 1
        if failed { errors[service, default: 0] += 1 }
        emitTelemetry(
            service: service, operation: operation, spec: spec, trace: trace, span: spanID, end: end,
            duration: end - start, failed: failed, status: status, host: host, into: &out)
        return (end, failed)
    }

    /// A CLIENT span in `service` around the callee's server span.
    mutating func callOut(
        service: String, call: Scenario.CallSpec, trace: TraceID, parent: SpanID, at: Int64,
        into out: inout SimulatedBatch
    ) -> (Int64, Bool) {
        let clientID = newSpanID()
        let net = 200 + Int64(rng.unit() * 1300)
        let (calleeEnd, failed) = serve(
            service: call.service, operation: call.operation, trace: trace, parent: clientID, start: at + net / 2,
            kind: nil, into: &out)
        let end = calleeEnd + net / 2
        out.spans.append(
            Span(
                traceID: trace, spanID: clientID, parentID: parent, service: service, name: call.operation,
                kind: .client, startMicros: at, durationMicros: end - at, isError: failed,
                status: failed ? .error : .unset, peerService: call.service,
                attributes: [
                    Attribute("peer.service", .string(call.service)),
                    Attribute("http.status_code", .int(failed ? 502 : 200)),
                ]))
        return (end, failed)
    }

    /// A PRODUCER span here and a CONSUMER span in the callee after a queue delay; the caller does not wait.
    mutating func publish(
        service: String, call: Scenario.CallSpec, trace: TraceID, parent: SpanID, at: Int64,
        into out: inout SimulatedBatch
    ) -> Int64 {
        let producerID = newSpanID()
        let sendTime = 150 + Int64(rng.unit() * 600)
        out.spans.append(
            Span(
                traceID: trace, spanID: producerID, parentID: parent, service: service,
                name: "publish \(call.operation)",
                kind: .producer, startMicros: at, durationMicros: sendTime, peerService: call.service,
                attributes: [Attribute("messaging.destination.name", .string(call.operation))]))
        let queueDelay = 5_000 + Int64(rng.logNormal(p50: 8_000, p99: 60_000))
        _ = serve(
            service: call.service, operation: call.operation, trace: trace, parent: producerID,
            start: at + queueDelay, kind: .consumer, into: &out)
        return at + sendTime
    }
}
