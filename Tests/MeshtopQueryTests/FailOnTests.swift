import MeshtopModel
import MeshtopQuery
import Testing

@Suite struct FailOnTests {
    static let healthWords = HealthState.allCases.map(\.rawValue)
    static let serviceFields = ["service", "error_rate", "p99_ms", "health", "requests"]

    static func service(_ name: String, health: String, errorRate: Double, p99: Double) -> OutputRecord {
        OutputRecord([
            OutputField("service", .text(name)), OutputField("error_rate", .ratio(errorRate)),
            OutputField("p99_ms", .millis(p99)), OutputField("health", .text(health)),
        ])
    }

    static let rows = [
        service("a", health: "healthy", errorRate: 0.01, p99: 120),
        service("b", health: "degraded", errorRate: 0.04, p99: 900),
    ]

    func parse(_ text: String) throws -> FailOn {
        try FailOn.parse(text, fields: Self.serviceFields, shorthandField: "health", shorthandValues: Self.healthWords)
    }

    @Test func evaluatesShorthandComparisonsAndLists() throws {
        #expect(try parse("degraded").holds(in: Self.rows))
        #expect(try !parse("failing").holds(in: Self.rows))
        #expect(try parse("health=degraded").holds(in: Self.rows))
        #expect(try !parse("health = failing").holds(in: Self.rows))
        #expect(try !parse("error_rate>0.05").holds(in: Self.rows))
        #expect(try parse("error_rate>=0.04").holds(in: Self.rows))
        #expect(try parse("p99_ms>500").holds(in: Self.rows))
        #expect(try !parse("p99_ms<100").holds(in: Self.rows))
        #expect(try parse("failing, p99_ms>800").holds(in: Self.rows))
        #expect(try parse("service!=a").holds(in: Self.rows))
        #expect(try !parse("degraded").holds(in: []))
        #expect(
            try parse("error_rate>0.05").conditions == [
                FailOn.Condition(field: "error_rate", op: .greater, value: "0.05")
            ])
    }

    @Test func rejectsMalformedExpressions() {
        #expect(throws: QueryError.self) { try parse("burning") }
        #expect(throws: QueryError.self) { try parse("latency>5") }
        #expect(throws: QueryError.self) { try parse("error_rate>") }
        #expect(throws: QueryError.self) { try parse("error_rate>high") }
        #expect(throws: QueryError.self) { try parse("degraded,,failing") }
    }
}
