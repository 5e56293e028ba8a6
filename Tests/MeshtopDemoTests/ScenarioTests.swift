import Foundation
import MeshtopModel
import Testing

@testable import MeshtopDemo

@Suite struct ScenarioTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func builtinShopMatchesSampleFile() throws {
        let file = Self.repo.appendingPathComponent("samples/scenarios/shop.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text + "\n" == BuiltinScenarios.shopYAML + "\n" || text == BuiltinScenarios.shopYAML + "\n")
    }

    @Test func shopLoads() throws {
        let s = try BuiltinScenarios.load("shop")
        #expect(s.services.count == 10)
        #expect(s.durationMicros == 150_000_000)
        #expect(s.entry.count == 3)
    }

    @Test func badScenarioNamesTheProblem() {
        let yaml = """
            name: x
            duration: 10s
            rate: 5
            entry: [{service: a, operation: nope, weight: 1}]
            services:
              a: {operations: {"GET /": {p50: 1ms, p99: 2ms}}}
            """
        #expect {
            try Scenario.load(yaml: yaml)
        } throws: { error in
            "\(error)".contains("entry a nope")
        }
        #expect(throws: ScenarioError.self) { try BuiltinScenarios.load("/no/such/scenario.yaml") }
    }

    /// Part of the shop sends over the OTLP receivers; the rest over UDP.
    @Test func shopTransports() throws {
        let s = try BuiltinScenarios.load("shop")
        for service in ["cart", "shipping", "bank-api"] {
            let t = Simulator.transport(of: service, in: s)
            #expect(t.spans == .otlpHTTP && t.logs == .otlpHTTP, "\(service)")
        }
        let notifications = Simulator.transport(of: "notifications", in: s)
        #expect(notifications.spans == .otlpGRPC && notifications.logs == .otlpGRPC)
        let orders = ServiceTransport(spans: .jaeger, logs: .syslog, metrics: .dogstatsd)
        #expect(Simulator.transport(of: "orders", in: s) == orders)
        #expect(s.transportLines[0].contains("otlp-http (bank-api, cart, shipping)"), "\(s.transportLines)")
        #expect(s.transportLines[1].contains("otlp-grpc (notifications)"), "\(s.transportLines)")
    }

    @Test func unknownTransportNamesTheChoices() {
        let yaml = """
            name: x
            duration: 10s
            rate: 5
            entry: [{service: a, operation: "GET /", weight: 1}]
            services:
              a: {spans: otlp, operations: {"GET /": {p50: 1ms, p99: 2ms}}}
            """
        #expect {
            try Scenario.load(yaml: yaml)
        } throws: { error in
            "\(error)".contains("a spans: 'otlp' is not one of zipkin, jaeger, otlp-http, otlp-grpc")
        }
    }
}

@Suite struct SimulatorTests {
    func run(seconds: Int64) throws -> (Simulator, SimulatedBatch) {
        let s = try BuiltinScenarios.load("shop")
        var sim = Simulator(scenario: s, startMicros: 1_800_000_000_000_000)
        var all = SimulatedBatch()
        for _ in 0..<(seconds * 10) {
            let b = sim.step(100_000)
            all.spans += b.spans
            all.logs += b.logs
            all.metrics += b.metrics
            all.narration += b.narration
        }
        return (sim, all)
    }

    @Test func sameSeedSameOutput() throws {
        let (_, a) = try run(seconds: 5)
        let (_, b) = try run(seconds: 5)
        #expect(a.spans == b.spans)
        #expect(a.logs == b.logs)
        #expect(!a.spans.isEmpty)
    }

    @Test func everyServiceAndEdgeAppears() throws {
        let (_, all) = try run(seconds: 30)
        let services = Set(all.spans.map(\.service))
        #expect(
            services == [
                "gateway", "auth", "catalog", "cart", "orders", "inventory", "payments", "bank-api", "shipping",
                "notifications",
            ] as Set)
        var byID: [SpanID: Span] = [:]
        for s in all.spans { byID[s.spanID] = s }
        var edges = Set<String>()
        for s in all.spans {
            if let p = s.parentID, let parent = byID[p], parent.service != s.service {
                edges.insert("\(parent.service)->\(s.service)")
            }
        }
        for e in [
            "gateway->auth", "gateway->catalog", "gateway->cart", "gateway->orders", "orders->inventory",
            "orders->payments", "orders->shipping", "payments->bank-api", "orders->notifications",
            "catalog->inventory",
        ] {
            #expect(edges.contains(e), "missing edge \(e)")
        }
        // Every child span's parent exists in the same trace.
        for s in all.spans { if let p = s.parentID { #expect(byID[p]?.traceID == s.traceID) } }
    }

    @Test func paymentsIncidentFollowsTheStory() throws {
        let (sim, all) = try run(seconds: 150)
        #expect(sim.isFinished)
        #expect(all.narration.count == 4)
        let start = sim.startMicros
        func errorRate(_ from: Int64, _ to: Int64) -> Double {
            let spans = all.spans.filter {
                $0.service == "payments" && $0.kind == .server && $0.startMicros >= start + from * 1_000_000
                    && $0.startMicros < start + to * 1_000_000
            }
            return Double(spans.filter(\.isError).count) / Double(max(spans.count, 1))
        }
        #expect(errorRate(0, 40) < 0.05)
        #expect(errorRate(62, 94) > 0.6)
        #expect(errorRate(100, 150) < 0.05)
        let stock = all.metrics.filter { $0.name == "inventory.stock" }.map(\.value)
        #expect(stock.first! > stock.last!)
        #expect(stock.last! == 0)
    }
}
