import Foundation
import MeshtopModel

extension Simulator {
    /// The logs and StatsD metrics a service writes for one handled request.
    mutating func emitTelemetry(
        service: String, operation: String, spec: Scenario.OperationSpec, trace: TraceID, span: SpanID, end: Int64,
        duration: Int64, failed: Bool, status: Int64, host: String, into out: inout SimulatedBatch
    ) {
        if failed {
            out.logs.append(
                LogRecord(
                    timeMicros: end, service: service, host: host, severity: .error,
                    message: "\(operation) failed with status \(status)", traceID: trace, spanID: span,
                    attributes: [Attribute("status", .int(status))]))
        } else if let text = spec.log, rng.chance(spec.logRate ?? 0.2) {
            out.logs.append(
                LogRecord(
                    timeMicros: end, service: service, host: host, severity: .info, message: text, traceID: trace,
                    spanID: span,
                    attributes: [Attribute("duration_ms", .double((Double(duration) / 10).rounded() / 100))]))
        }
        let route = operation.replacingOccurrences(of: " ", with: "_")
        let tags = ["route:\(route)", "status:\(status)", "service:\(service)"].sorted()
        out.metrics.append(
            MetricSample(name: "\(service).requests", type: .counter, value: 1, tags: tags, service: service))
        out.metrics.append(
            MetricSample(
                name: "\(service).latency", type: .timer, value: Double(duration) / 1000, tags: tags, service: service))
    }
}
