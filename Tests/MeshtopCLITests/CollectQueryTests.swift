import Foundation
import Testing

/// A real `meshtop collect` on a free loopback port, fed by `meshtop send`, stopped with SIGTERM; then the
/// `query` subcommands over the database it wrote: known counts, JSON shapes, escaping, read-only SQL, --fail-on.
@Suite struct CollectQueryTests {
    /// 10 traces web → api (each: one web SERVER span, one api SERVER span child of it; every other api span is an
    /// error), 3 logs (one with an ESC sequence), 4 StatsD lines and one line no decoder accepts.
    struct Fixture {
        static let traces = 10
        let nowMicros = Int64(Date().timeIntervalSince1970 * 1_000_000)

        var spanLines: [String] {
            (0..<Self.traces).map { i in
                let trace = String(format: "%016llx%016llx", 0xfeed_0000 + UInt64(i), 0xc0ffee + UInt64(i))
                let root = String(format: "%016llx", 0x1000 + UInt64(i))
                let child = String(format: "%016llx", 0x2000 + UInt64(i))
                let start = nowMicros - 60_000_000 + Int64(i) * 1_000_000
                let error = i % 2 == 1 ? ",\"tags\":{\"error\":\"card declined\"}" : ""
                return "[{\"traceId\":\"\(trace)\",\"id\":\"\(root)\",\"name\":\"POST /checkout\",\"kind\":\"SERVER\","
                    + "\"timestamp\":\(start),\"duration\":20000,\"localEndpoint\":{\"serviceName\":\"web\"}},"
                    + "{\"traceId\":\"\(trace)\",\"id\":\"\(child)\",\"parentId\":\"\(root)\",\"name\":\"POST /pay\","
                    + "\"kind\":\"SERVER\",\"timestamp\":\(start + 2_000),\"duration\":15000,"
                    + "\"localEndpoint\":{\"serviceName\":\"api\"}\(error)}]"
            }
        }

        var logLines: [String] {
            let ts = ISO8601DateFormatter.string(
                from: Date(timeIntervalSince1970: Double(nowMicros) / 1_000_000 - 30), timeZone: .gmt,
                formatOptions: [.withInternetDateTime, .withFractionalSeconds])
            return [
                "<11>1 \(ts) host1 web - - - clear \u{1b}[2J screen",
                "{\"time\":\"\(ts)\",\"level\":\"info\",\"msg\":\"checkout completed\",\"service\":\"web\"}",
                "level=warn service=api msg=\"slow query\" time=\(ts)",
            ]
        }

        let metricLines = ["web.orders:1|c", "web.orders:2|c", "web.orders:3|c", "web.queue:5|g"]
        let junk = "this line is no known format"
    }

    @Test func collectorRoundTripThroughQueries() throws {
        guard let bin = MeshtopBinary.require() else { return }
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = dir + "/c.db"
        let port = try LoopbackUDPSocket.freePort()
        let collector = try MeshtopProcess(
            bin,
            [
                "collect", "--db", db, "--listen", "127.0.0.1:\(port)", "--jaeger", "off", "--eval-interval", "200ms",
                "--otlp", "off", "--otlp-grpc", "off", "--zipkin", "off",
            ])
        defer { collector.killIfRunning() }
        try #require(
            collector.waitForStderr("listening on udp", timeout: 15), "collector did not start: \(collector.stderrText)"
        )

        let f = Fixture()
        let lines = f.spanLines + f.logLines + f.metricLines + [f.junk]
        let send = try runMeshtop(bin, ["send", "--to", "127.0.0.1:\(port)"] + lines)
        #expect(send.status == 0, "\(send)")

        // Wait until the writer committed everything (the collector runs; queries read while it writes).
        var stats: [String: Any] = [:]
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            let r = try runMeshtop(bin, ["query", "stats", "--db", db, "--format", "json"])
            stats = (parseJSON(r) as? [String: Any]) ?? [:]
            let parsed = stats["parsed"] as? [String: Any]
            if (parsed?["spans"] as? Int) == 20 && (parsed?["logs"] as? Int) == 3 && (parsed?["metrics"] as? Int) == 4 {
                break
            }
            usleep(100_000)
        }
        #expect(stats["running"] as? Bool == true, "\(stats)")
        collector.signal(SIGTERM)
        let stopped = collector.wait(timeout: 20)
        #expect(stopped.status == 0 && !stopped.signalled && !stopped.timedOut, "collector stop: \(stopped)")

        try checkStats(bin, db: db, lines: lines.count)
        try checkServicesAndTopology(bin, db: db)
        try checkLogsEscaping(bin, db: db)
        try checkReadOnlySQL(bin, db: db)
    }

    func checkStats(_ bin: String, db: String, lines: Int) throws {
        let r = try runMeshtop(bin, ["query", "stats", "--db", db, "--format", "json"])
        #expect(r.status == 0, "\(r)")
        let stats = try #require(parseJSON(r) as? [String: Any], "\(r)")
        let parsed = stats["parsed"] as? [String: Any]
        #expect(parsed?["spans"] as? Int == 20)
        #expect(parsed?["logs"] as? Int == 3)
        #expect(parsed?["metrics"] as? Int == 4)
        let rejected = (stats["rejected"] as? [String: Int]) ?? [:]
        #expect(rejected.values.reduce(0, +) == 1, "one junk line rejected: \(rejected)")
        #expect(stats["lines"] as? Int == lines, "\(stats)")
        #expect((stats["received_datagrams"] as? Int ?? 0) >= 1)
        #expect(stats["dropped"] as? Int == 0)
        let rows = stats["rows"] as? [String: Any]
        #expect(rows?["spans"] as? Int == 20, "\(stats)")
        #expect(rows?["logs"] as? Int == 3, "\(stats)")
        #expect((stats["db_bytes"] as? Int ?? 0) > 0)
        #expect(stats["running"] as? Bool == false, "after SIGTERM the collector is reported stopped")
    }

    func checkServicesAndTopology(_ bin: String, db: String) throws {
        let r = try runMeshtop(bin, ["query", "services", "--db", db, "--format", "json"])
        #expect(r.status == 0, "\(r)")
        let rows = try #require(parseJSON(r) as? [[String: Any]], "\(r)")
        let byName = Dictionary(
            uniqueKeysWithValues: rows.compactMap { row in (row["service"] as? String).map { ($0, row) } })
        #expect(Set(byName.keys) == ["web", "api"], "\(rows)")
        #expect(byName["web"]?["requests"] as? Int == 10)
        #expect(byName["web"]?["errors"] as? Int == 0)
        #expect(byName["web"]?["health"] as? String == "healthy", "\(rows)")
        #expect(byName["api"]?["requests"] as? Int == 10)
        #expect(byName["api"]?["errors"] as? Int == 5)
        #expect(byName["api"]?["error_rate"] as? Double == 0.5, "\(rows)")
        #expect(byName["api"]?["health"] as? String == "failing", "\(rows)")

        let topo = try runMeshtop(bin, ["query", "topology", "--db", db, "--format", "json"])
        #expect(topo.status == 0, "\(topo)")
        let edges = (parseJSON(topo) as? [String: Any])?["edges"] as? [[String: Any]] ?? []
        #expect(edges.count == 1, "\(topo)")
        #expect(edges.first?["caller"] as? String == "web" && edges.first?["callee"] as? String == "api", "\(topo)")
        #expect(edges.first?["calls"] as? Int == 10 && edges.first?["errors"] as? Int == 5, "\(topo)")

        let failing = try runMeshtop(
            bin, ["query", "services", "--db", db, "--format", "json", "--fail-on", "health=failing"])
        #expect(failing.status == 1, "api is failing, so --fail-on health=failing exits 1: \(failing)")
        #expect(!failing.stdoutBytes.isEmpty, "the rows are printed before exiting 1")
        let notHeld = try runMeshtop(
            bin, ["query", "services", "--db", db, "--format", "json", "--fail-on", "error_rate>0.9"])
        #expect(notHeld.status == 0, "no service has error_rate > 0.9: \(notHeld)")
        let bad = try runMeshtop(bin, ["query", "services", "--db", db, "--fail-on", "colour=blue"])
        #expect(bad.status == 2 && bad.stderr.contains("colour"), "an unknown --fail-on field is a usage error: \(bad)")
    }

    func checkLogsEscaping(_ bin: String, db: String) throws {
        let json = try runMeshtop(bin, ["query", "logs", "--db", db, "--format", "json", "--service", "web"])
        #expect(json.status == 0, "\(json)")
        #expect(!json.stdoutBytes.contains(0x1B), "no raw ESC byte in JSON output")
        #expect(json.stdout.contains(#"clear \u001b[2J screen"#), "the ESC is a JSON escape: \(json)")
        let rows = try #require(parseJSON(json) as? [[String: Any]], "\(json)")
        #expect(rows.count == 2, "\(rows)")
        #expect(rows.contains { $0["message"] as? String == "clear \u{1b}[2J screen" }, "JSON keeps the message exact")
        #expect(
            rows.contains { $0["message"] as? String == "checkout completed" && $0["severity"] as? String == "info" })

        let table = try runMeshtop(bin, ["query", "logs", "--db", db, "--format", "table"])
        #expect(table.status == 0, "\(table)")
        #expect(!table.stdoutBytes.contains(0x1B), "no raw ESC byte reaches the terminal: \(table)")
        #expect(table.stdout.contains(#"clear \x1b[2J screen"#), "\(table)")
        #expect(table.stdout.contains("slow query"), "\(table)")
    }

    func checkReadOnlySQL(_ bin: String, db: String) throws {
        let sel = try runMeshtop(
            bin,
            [
                "query", "sql", "--db", db, "--format", "json",
                "SELECT service, count(*) AS n FROM spans GROUP BY service ORDER BY service",
            ])
        #expect(sel.status == 0, "\(sel)")
        let rows = parseJSON(sel) as? [[String: Any]] ?? []
        #expect(rows.map { $0["service"] as? String ?? "" } == ["api", "web"], "\(sel)")
        #expect(rows.map { $0["n"] as? Int ?? 0 } == [10, 10], "\(sel)")

        for statement in ["DELETE FROM spans", "DROP TABLE logs", "INSERT INTO logs(message) VALUES ('x')"] {
            let r = try runMeshtop(bin, ["query", "sql", "--db", db, statement])
            #expect(r.status != 0, "\(statement) must be refused: \(r)")
            #expect(
                r.stderr.lowercased().contains("read-only") || r.stderr.contains("only statements that read"), "\(r)")
        }
        let count = try runMeshtop(
            bin, ["query", "sql", "--db", db, "--format", "json", "SELECT count(*) AS n FROM spans"])
        #expect((parseJSON(count) as? [[String: Any]])?.first?["n"] as? Int == 20, "nothing was deleted: \(count)")
    }
}
