import Foundation
import Testing

/// `meshtop demo` sends part of the shop over the OTLP receivers (samples/scenarios/shop.yaml: cart, shipping and
/// bank-api over OTLP/HTTP protobuf, notifications over OTLP/gRPC): after a short headless run, both receivers
/// counted items in `query stats`, and those services handled requests in `query services`.
@Suite struct DemoTransportTests {
    static let overOTLP = ["cart", "shipping", "bank-api", "notifications"]

    @Test func shortDemoFeedsBothOTLPReceivers() throws {
        guard let bin = MeshtopBinary.require() else { return }
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = dir + "/demo.db"
        let demo = try runMeshtop(
            bin, ["demo", "--headless", "--duration", "4s", "--speed", "10", "--db", db, "--json"], timeout: 30)
        try #require(demo.status == 0 && !demo.timedOut, "\(demo)")
        #expect(demo.stderr.contains("otlp-grpc (notifications)"), "the transports are narrated: \(demo.stderr)")

        let summary = try #require(parseJSON(demo) as? [String: Any], "\(demo)")
        let fromSummary = summary["receivers"] as? [String: Int] ?? [:]
        #expect((fromSummary["otlp_http.items"] ?? 0) > 0 && (fromSummary["otlp_grpc.items"] ?? 0) > 0, "\(summary)")

        let stats = try runMeshtop(bin, ["query", "stats", "--db", db, "--format", "json"])
        let receivers = (parseJSON(stats) as? [String: Any])?["receivers"] as? [String: [String: Int]] ?? [:]
        #expect((receivers["otlp_http"]?["items"] ?? 0) > 0, "OTLP/HTTP items: \(stats)")
        #expect((receivers["otlp_grpc"]?["items"] ?? 0) > 0, "OTLP/gRPC items: \(stats)")
        #expect((receivers["otlp_http"]?["status_2xx"] ?? 0) > 0, "\(stats)")

        let until = ISO8601DateFormatter.string(
            from: Date().addingTimeInterval(3600), timeZone: .gmt, formatOptions: [.withInternetDateTime])
        let services = try runMeshtop(
            bin, ["query", "services", "--since", "1h", "--until", until, "--db", db, "--format", "json"])
        let rows = parseJSON(services) as? [[String: Any]] ?? []
        for name in Self.overOTLP {
            let row = rows.first { $0["service"] as? String == name }
            #expect((row?["requests"] as? Int ?? 0) > 0, "\(name) arrived over OTLP: \(services)")
        }
    }
}
