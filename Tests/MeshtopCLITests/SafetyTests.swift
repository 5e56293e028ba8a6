import Foundation
import GRDB
import MeshtopQuery
import MeshtopStore
import Testing

@testable import MeshtopCLI

/// Issue 15 items 1, 2, 4, 6 and 9 through the real binary: meshtop refuses another program's database without
/// touching it (exit 3), one collector per database (exit 3, naming the running one), `query sql --timeout`
/// (exit 5), error messages that say what to do, and a bounded rules file (exit 2).
@Suite struct SafetyTests {
    static let collectFlags = [
        "--jaeger", "off", "--listen", "127.0.0.1:0", "--otlp", "off", "--otlp-grpc", "off", "--zipkin", "off",
    ]

    @Test func collectRefusesAForeignDatabaseWithoutChangingIt() throws {
        guard let bin = MeshtopBinary.require() else { return }
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/f.db"
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE logs(id INTEGER PRIMARY KEY, note TEXT); CREATE TABLE spans(a, b)")
        }
        try queue.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let modified = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        let r = try runMeshtop(bin, ["collect", "--db", path] + Self.collectFlags, timeout: 60)
        #expect(r.status == 3, "\(r)")
        #expect(r.stderr.contains("\(path) is not a meshtop database"), "\(r)")
        #expect(r.stderr.contains("did not change it") && r.stderr.contains("--db"), "\(r)")
        #expect(!r.stderr.contains("permissions"), "\(r)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date == modified)
        for suffix in ["-wal", "-shm", ".lock"] {
            #expect(!FileManager.default.fileExists(atPath: path + suffix), "\(suffix) created")
        }
    }

    @Test func aSecondCollectorOnTheSameDatabaseRefusesNamingTheFirst() throws {
        guard let bin = MeshtopBinary.require() else { return }
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = dir + "/same.db"
        let first = try MeshtopProcess(bin, ["collect", "--db", db] + Self.collectFlags)
        defer { first.killIfRunning() }
        #expect(first.waitForStderr("listening on udp", timeout: 60), "\(first.stderrText)")
        let second = try runMeshtop(bin, ["collect", "--db", db] + Self.collectFlags, timeout: 60)
        #expect(second.status == 3, "\(second)")
        #expect(second.stderr.contains("already being written by pid \(first.pid) (meshtop collect"), "\(second)")
        #expect(second.stderr.contains("stop that collector first"), "\(second)")
        #expect(try String(contentsOfFile: db + ".lock", encoding: .utf8).hasPrefix("\(first.pid)\n"))
        // The demo writes through a collector too, so it is refused the same way.
        let demo = try runMeshtop(bin, ["demo", "--db", db, "--headless", "--duration", "1s"], timeout: 60)
        #expect(demo.status == 3, "\(demo)")
        #expect(demo.stderr.contains("already being written by pid \(first.pid)"), "\(demo)")
        // Queries are readers: unaffected.
        let query = try runMeshtop(bin, ["query", "sql", "--db", db, "--format", "json", "SELECT 1 AS one"])
        #expect(query.status == 0, "\(query)")
        // The lock dies with the process, even a killed one: a new collector starts.
        first.signal(SIGKILL)
        _ = first.wait(timeout: 60)
        let third = try MeshtopProcess(bin, ["collect", "--db", db] + Self.collectFlags)
        defer { third.killIfRunning() }
        #expect(third.waitForStderr("listening on udp", timeout: 60), "\(third.stderrText)")
        third.signal(SIGTERM)
        #expect(third.wait(timeout: 60).status == 0)
    }

    @Test func querySQLStopsAtItsTimeout() throws {
        guard let bin = MeshtopBinary.require() else { return }
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = dir + "/t.db"
        let collector = try MeshtopProcess(bin, ["collect", "--db", db] + Self.collectFlags)
        #expect(collector.waitForStderr("listening on udp", timeout: 60), "\(collector.stderrText)")
        collector.signal(SIGTERM)
        #expect(collector.wait(timeout: 60).status == 0)
        let endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
        let start = Date()
        let r = try runMeshtop(bin, ["query", "sql", "--db", db, "--timeout", "300ms", endless], timeout: 60)
        #expect(r.status == 5, "\(r)")
        #expect(r.stderr.contains("query timed out after 300ms (use --timeout to allow longer)"), "\(r)")
        #expect(Date().timeIntervalSince(start) < 10)
        let bad = try runMeshtop(bin, ["query", "sql", "--db", db, "--timeout", "soon", "SELECT 1"])
        #expect(bad.status == 2 && bad.stderr.contains("--timeout soon"), "\(bad)")
    }

    @Test func aDatabaseUnderAMissingProcDirectorySaysWhatToDo() throws {
        guard let bin = MeshtopBinary.require() else { return }
        let path = "/proc/meshtop-missing-\(getpid())/x.db"
        let r = try runMeshtop(bin, ["collect", "--db", path] + Self.collectFlags, timeout: 60)
        #expect(r.status == 3, "\(r)")
        #expect(!r.stderr.contains("NSCocoaErrorDomain") && !r.stderr.contains("UserInfo"), "\(r)")
        #expect(r.stderr.contains("cannot create the directory /proc/meshtop-missing-\(getpid())"), "\(r)")
        #expect(r.stderr.contains("pass --db PATH in a directory you can write"), "\(r)")
        #expect(!r.stderr.contains("Check the directory exists"), "one piece of advice, not two: \(r)")
    }

    @Test func anOversizedRulesFileIsRefusedBeforeTheListenersBind() throws {
        guard let bin = MeshtopBinary.require() else { return }
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let rules = dir + "/rules.yaml"
        var text = "rules:\n"
        let entry = "  - name: R%d\n    signal: metric\n    metric: queue.depth\n    op: \">\"\n    threshold: 1\n"
        var i = 0
        while text.utf8.count <= 2 << 20 {
            text += String(format: entry, i)
            i += 1
        }
        try text.write(toFile: rules, atomically: true, encoding: .utf8)
        let start = Date()
        let r = try runMeshtop(
            bin, ["collect", "--db", dir + "/x.db", "--rules", rules] + Self.collectFlags, timeout: 60)
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("over the limit of 1048576 bytes (1 MiB)"), "\(r)")
        #expect(!r.stderr.contains("listening"), "\(r)")
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test func theConsoleAndTheDemoReadWithATimeBound() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try MeshtopStore.open(path: dir + "/c.db")
        let reader = try #require(try makeConsoleReader(path: dir + "/c.db") as? MeshtopQueries)
        #expect((reader.reader as? MeshtopStore)?.readTimeout == QueryTimeout.console)
        #expect(QueryTimeout.console == 2)
    }

    @Test func aCorruptAgentStateFileSaysWhatToDo() throws {
        guard let bin = MeshtopBinary.require() else { return }
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "{not json".write(toFile: dir + "/state.json", atomically: true, encoding: .utf8)
        try "line\n".write(toFile: dir + "/app.log", atomically: true, encoding: .utf8)
        let r = try runMeshtop(
            bin, ["agent", "--to", "127.0.0.1:9", "--state", dir + "/state.json", dir + "/app.log"], timeout: 60)
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("is not a meshtop agent state file (not valid JSON)"), "\(r)")
        #expect(r.stderr.contains("delete it to start over"), "\(r)")
        #expect(!r.stderr.contains("fix its permissions"), "\(r)")
    }
}
