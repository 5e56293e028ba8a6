import Foundation
import Testing

/// `meshtop demo --headless` at high speed, then the story is checked in the database it wrote, through the
/// `query` subcommands: every scenario service and edge, the orders → payments breaker opening, going half-open
/// and closing, the PaymentsErrorRate alert firing and resolving, and the inventory gauge draining.
///
/// The shop story (samples/scenarios/shop.yaml) is 150 s of simulated time; at --speed 8 it takes 18.75 s and
/// every alert has resolved by simulated 130 s. 22 s of wall time ends inside the second loop's steady state
/// (its incident starts at simulated 40 s), so the final states are deterministic: nothing firing, breakers closed.
@Suite struct DemoStoryTests {
    static let services: Set<String> = [
        "gateway", "auth", "catalog", "cart", "orders", "inventory", "payments", "bank-api", "shipping",
        "notifications",
    ]
    static let edges: Set<String> = [
        "gateway->auth", "gateway->catalog", "gateway->cart", "gateway->orders", "orders->inventory",
        "orders->payments", "orders->shipping", "payments->bank-api", "catalog->inventory", "orders->notifications",
    ]

    @Test func headlessDemoPlaysTheWholeStory() throws {
        guard let bin = MeshtopBinary.require() else { return }
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = dir + "/demo.db"
        let demo = try runMeshtop(
            bin, ["demo", "--headless", "--duration", "22s", "--speed", "8", "--db", db, "--json"], timeout: 45)
        try #require(demo.status == 0 && !demo.timedOut, "\(demo)")
        #expect(demo.stderr.contains("payments errors burst"), "the story is narrated on stderr: \(demo)")
        let summary = try #require(parseJSON(demo) as? [String: Any], "the --json summary: \(demo)")
        #expect(Set(summary["services"] as? [String] ?? []) == Self.services, "\(summary)")

        try checkServicesAndEdges(bin, db: db)
        try checkBreaker(bin, db: db)
        try checkAlert(bin, db: db)
        try checkGauge(bin, db: db)
        try checkFailOn(bin, db: db)
    }

    /// The demo's event times run ahead of the wall clock after the first loop at high speed, so queries over a
    /// window end an hour from now.
    func window() -> [String] {
        let until = ISO8601DateFormatter.string(
            from: Date().addingTimeInterval(3600), timeZone: .gmt, formatOptions: [.withInternetDateTime])
        return ["--since", "1h", "--until", until]
    }

    func query(_ bin: String, _ args: [String], db: String) throws -> Any? {
        let r = try runMeshtop(bin, ["query"] + args + ["--db", db, "--format", "json"])
        #expect(r.status == 0, "query \(args.joined(separator: " ")): \(r)")
        return parseJSON(r)
    }

    func checkServicesAndEdges(_ bin: String, db: String) throws {
        let services = try query(bin, ["services"] + window(), db: db) as? [[String: Any]] ?? []
        #expect(Set(services.compactMap { $0["service"] as? String }) == Self.services, "\(services)")
        for row in services {
            #expect((row["requests"] as? Int ?? 0) > 0, "every service handled requests: \(row)")
        }
        let topology = try query(bin, ["topology"] + window(), db: db) as? [String: Any] ?? [:]
        let edges = topology["edges"] as? [[String: Any]] ?? []
        let names = Set(edges.map { "\($0["caller"] as? String ?? "?")->\($0["callee"] as? String ?? "?")" })
        #expect(names == Self.edges, "\(topology)")
        let payments = edges.first { $0["caller"] as? String == "orders" && $0["callee"] as? String == "payments" }
        #expect((payments?["errors"] as? Int ?? 0) > 0, "orders -> payments saw the error burst: \(edges)")
    }

    func checkBreaker(_ bin: String, db: String) throws {
        let history =
            try query(
                bin, ["breakers", "--history", "--caller", "orders", "--callee", "payments", "--limit", "1000"], db: db)
            as? [[String: Any]] ?? []
        // Newest first; the story reads oldest first.
        let steps = history.reversed().filter { $0["source"] as? String == "simulated" }
            .map { "\($0["from"] as? String ?? "?")->\($0["to"] as? String ?? "?")" }
        #expect(
            Self.inOrder(["closed->open", "open->half_open", "half_open->closed"], in: steps),
            "orders -> payments transitions: \(steps)")
        let current = try query(bin, ["breakers"], db: db) as? [[String: Any]] ?? []
        let now = current.first {
            $0["caller"] as? String == "orders" && $0["callee"] as? String == "payments"
                && $0["source"] as? String == "simulated"
        }
        #expect(now?["state"] as? String == "closed", "the breaker ends closed: \(current)")
    }

    func checkAlert(_ bin: String, db: String) throws {
        let history = try query(bin, ["alerts", "--history", "--limit", "1000"], db: db) as? [[String: Any]] ?? []
        let steps = history.reversed().filter { $0["rule"] as? String == "PaymentsErrorRate" }
            .map { "\($0["from"] as? String ?? "?")->\($0["to"] as? String ?? "?")" }
        #expect(
            Self.inOrder(["inactive->pending", "pending->firing", "firing->resolved"], in: steps),
            "PaymentsErrorRate transitions: \(steps)")
        let resolved = try query(bin, ["alerts", "--state", "resolved"], db: db) as? [[String: Any]] ?? []
        #expect(resolved.contains { $0["rule"] as? String == "PaymentsErrorRate" }, "\(resolved)")
    }

    func checkGauge(_ bin: String, db: String) throws {
        let sql = "SELECT last FROM metric_rollups WHERE name = 'inventory.stock' ORDER BY time_us"
        let rows = try query(bin, ["sql", sql], db: db) as? [[String: Any]] ?? []
        let values = rows.compactMap { ($0["last"] as? NSNumber)?.doubleValue }
        let drops = zip(values, values.dropFirst()).filter { $0.1 < $0.0 }.count
        #expect(values.count >= 3, "inventory.stock flushed several times: \(values)")
        #expect(drops >= 2, "inventory.stock decreased from flush to flush: \(values)")
        #expect((values.min() ?? 0) < (values.first ?? 0) - 100, "inventory.stock drained: \(values)")
    }

    func checkFailOn(_ bin: String, db: String) throws {
        let held = try runMeshtop(bin, ["query", "alerts", "--db", db, "--format", "json", "--fail-on", "resolved"])
        #expect(held.status == 1, "resolved alerts exist, so --fail-on resolved exits 1: \(held)")
        let firing = try runMeshtop(bin, ["query", "alerts", "--db", db, "--format", "json", "--fail-on", "firing"])
        #expect(firing.status == 0, "nothing fires at the end of the story: \(firing)")
        let open = try runMeshtop(bin, ["query", "breakers", "--db", db, "--format", "json", "--fail-on", "open"])
        #expect(open.status == 0, "no breaker is open at the end of the story: \(open)")
    }

    /// Whether `wanted` occurs in `steps` in this order (not necessarily adjacent).
    static func inOrder(_ wanted: [String], in steps: [String]) -> Bool {
        var i = 0
        for s in steps where i < wanted.count && s == wanted[i] { i += 1 }
        return i == wanted.count
    }
}
