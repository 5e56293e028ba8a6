import MeshtopModel

/// The trace `meshtop bench otlp` sends over both paths: 8 spans across frontend → orders → payments/inventory.
enum BenchTrace {
    struct Step {
        var service: String
        var name: String
        var kind: SpanKind
        /// Index of the parent step; nil for the root.
        var parent: Int?
        var peer: String?
        var offsetMicros: Int64
        var durationMicros: Int64
        /// Whether the step fails when its trace fails (1 trace in 50).
        var failsWithTrace: Bool
    }

    static let steps: [Step] = [
        Step(
            service: "frontend", name: "GET /checkout", kind: .server, parent: nil, peer: nil, offsetMicros: 0,
            durationMicros: 48_000, failsWithTrace: true),
        Step(
            service: "frontend", name: "POST /orders", kind: .client, parent: 0, peer: "orders", offsetMicros: 1_000,
            durationMicros: 45_000, failsWithTrace: true),
        Step(
            service: "orders", name: "POST /orders", kind: .server, parent: 1, peer: nil, offsetMicros: 1_500,
            durationMicros: 44_000, failsWithTrace: true),
        Step(
            service: "orders", name: "SELECT orders", kind: .client, parent: 2, peer: nil, offsetMicros: 2_000,
            durationMicros: 3_000, failsWithTrace: false),
        Step(
            service: "orders", name: "GET /stock", kind: .client, parent: 2, peer: "inventory", offsetMicros: 6_000,
            durationMicros: 8_000, failsWithTrace: false),
        Step(
            service: "orders", name: "POST /charge", kind: .client, parent: 2, peer: "payments",
            offsetMicros: 15_000, durationMicros: 29_000, failsWithTrace: true),
        Step(
            service: "payments", name: "POST /charge", kind: .server, parent: 5, peer: nil, offsetMicros: 15_500,
            durationMicros: 28_000, failsWithTrace: true),
        Step(
            service: "payments", name: "authorize", kind: .internal, parent: 6, peer: nil, offsetMicros: 16_000,
            durationMicros: 20_000, failsWithTrace: true),
    ]
}
