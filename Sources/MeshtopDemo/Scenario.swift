import Foundation
import MeshtopModel
import Yams

/// A demo scenario: the services of a system, how requests flow through them, and a scripted story.
/// Scenarios are data (YAML under `samples/scenarios/`), so users can describe their own system.
public struct Scenario: Sendable, Decodable {
    public var name: String
    public var description: String?
    /// Story length at `--speed 1`, e.g. `150s`.
    public var duration: String
    /// Root requests per second across all entry operations.
    public var rate: Double
    public var seed: UInt64?
    public var services: [String: ServiceSpec]
    public var entry: [EntrySpec]
    public var gauges: [GaugeSpec]?
    public var story: [StoryStep]?
    /// An alert/breaker rules document (the collector's `--rules` format) used by the demo's collector.
    public var rules: String?

    public struct ServiceSpec: Sendable, Decodable {
        /// `zipkin` or `jaeger` (UDP), `otlp-http` or `otlp-grpc`: how this service ships its spans.
        public var spans: String?
        /// `syslog`, `json` or `logfmt` (UDP), `otlp-http` or `otlp-grpc`: how this service ships its logs.
        public var logs: String?
        /// `statsd` or `dogstatsd`.
        public var metrics: String?
        public var host: String?
        public var operations: [String: OperationSpec]
    }

    public struct OperationSpec: Sendable, Decodable {
        /// Self time: median and 99th percentile (log-normal with a long tail).
        public var p50: String
        public var p99: String
        /// Probability that this operation fails on its own.
        public var errors: Double?
        /// `SERVER` (default) or `CONSUMER`.
        public var kind: String?
        public var calls: [CallSpec]?
        /// Log line written on success (with probability `log_rate`), and on error.
        public var log: String?
        public var logRate: Double?

        enum CodingKeys: String, CodingKey {
            case p50, p99, errors, kind, calls, log
            case logRate = "log_rate"
        }
    }

    public struct CallSpec: Sendable, Decodable {
        public var service: String
        public var operation: String
        /// Probability that the call happens at all (default 1).
        public var probability: Double?
        /// Retries after a failed attempt (default 0).
        public var retries: Int?
        /// `async`: a PRODUCER span here and a CONSUMER span in the callee after a queue delay.
        public var async: Bool?
        /// Repeat the call N times (fan-out), sequentially.
        public var count: Int?
    }

    public struct EntrySpec: Sendable, Decodable {
        public var service: String
        public var operation: String
        public var weight: Double
    }

    /// A gauge that moves over the story (e.g. an inventory counter that drains).
    public struct GaugeSpec: Sendable, Decodable {
        public var service: String
        public var name: String
        public var start: Double
        /// Change per simulated second (negative drains).
        public var perSecond: Double
        public var floor: Double?

        enum CodingKeys: String, CodingKey {
            case service, name, start, floor
            case perSecond = "per_second"
        }
    }

    /// At `at` (story time), change a service's behaviour.
    public struct StoryStep: Sendable, Decodable {
        public var at: String
        public var service: String?
        /// Multiplies the service's self latency.
        public var latencyFactor: Double?
        /// Overrides the service's own error probability (nil: back to the operation's value).
        public var errors: Double?
        public var reset: Bool?
        public var say: String?

        enum CodingKeys: String, CodingKey {
            case at, service, errors, reset, say
            case latencyFactor = "latency_factor"
        }
    }

    /// Decodes and validates a scenario; errors name what is wrong.
    public static func load(yaml: String) throws -> Scenario {
        let s: Scenario
        do {
            s = try YAMLDecoder().decode(Scenario.self, from: yaml)
        } catch {
            throw ScenarioError.invalid("\(error)")
        }
        try s.validate()
        return s
    }

    public var durationMicros: Int64 { DurationText.parseMicros(duration) ?? 150_000_000 }

    func validate() throws {
        guard DurationText.parseMicros(duration) != nil else {
            throw ScenarioError.invalid("duration '\(duration)' is not a duration like 150s")
        }
        guard rate > 0 else { throw ScenarioError.invalid("rate must be > 0") }
        guard !entry.isEmpty else { throw ScenarioError.invalid("entry: needs at least one entry operation") }
        for e in entry where services[e.service]?.operations[e.operation] == nil {
            throw ScenarioError.invalid("entry \(e.service) \(e.operation): no such service operation")
        }
        for (name, svc) in services {
            try Self.check(svc.spans, ServiceTransport.SpanFormat.self, "\(name) spans")
            try Self.check(svc.logs, ServiceTransport.LogFormat.self, "\(name) logs")
            try Self.check(svc.metrics, ServiceTransport.MetricFormat.self, "\(name) metrics")
            for (op, spec) in svc.operations {
                for d in [spec.p50, spec.p99] where DurationText.parseMicros(d) == nil {
                    throw ScenarioError.invalid("\(name) \(op): '\(d)' is not a duration")
                }
                for c in spec.calls ?? [] where services[c.service]?.operations[c.operation] == nil {
                    throw ScenarioError.invalid("\(name) \(op) calls \(c.service) \(c.operation): no such operation")
                }
            }
        }
        for step in story ?? [] {
            guard DurationText.parseMicros(step.at) != nil else {
                throw ScenarioError.invalid("story step at '\(step.at)' is not a duration")
            }
            if let svc = step.service, services[svc] == nil {
                throw ScenarioError.invalid("story step at \(step.at): no service '\(svc)'")
            }
        }
    }
}

extension Scenario {
    /// A transport name must be one of the format's cases (nil: the default).
    static func check<F: RawRepresentable & CaseIterable>(_ value: String?, _ format: F.Type, _ what: String) throws
    where F.RawValue == String {
        guard let v = value, F(rawValue: v) == nil else { return }
        let names = F.allCases.map(\.rawValue).joined(separator: ", ")
        throw ScenarioError.invalid("\(what): '\(v)' is not one of \(names)")
    }
}

public enum ScenarioError: Error, CustomStringConvertible, Sendable {
    case invalid(String)
    case notFound(String)

    public var description: String {
        switch self {
        case .invalid(let m): return "invalid scenario: \(m)"
        case .notFound(let n):
            return
                "no scenario named '\(n)': use one of \(BuiltinScenarios.names.joined(separator: ", ")) or a YAML file path"
        }
    }
}
