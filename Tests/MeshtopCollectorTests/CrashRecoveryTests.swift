import Foundation
import MeshtopNet
import MeshtopStore
import Testing

@testable import MeshtopCollector

/// Drives the built `meshtop` binary: SIGKILL during ingest leaves a consistent database that a new collector
/// continues; a port in use exits with code 4.
@Suite(.serialized) struct CrashRecoveryTests {
    /// `.build/<config>/meshtop`, next to the test bundle.
    static var binary: String? {
        var dir = Bundle.module.bundleURL.deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("meshtop").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    @Test func killDashNineDuringIngestKeepsTheDatabaseIntactAndRestartable() async throws {
        guard let binary = Self.binary else {
            print("skipped: no meshtop binary next to the test bundle (run `swift build` first)")
            return
        }
        let dir = NSTemporaryDirectory() + "meshtop-kill-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = dir + "/meshtop.db"

        let first = try CollectorProcess(binary: binary, db: db)
        let sender = try UDPSender(target: first.address)
        let spans = try Fixture.lines("zipkin_v2_trace.jsonl")
        var sent = 0
        let deadline = Date().addingTimeInterval(1.5)
        while Date() < deadline {
            for line in spans { sender.send(line) }
            sender.send(Array("<11>1 - host app - - - flood \(sent)".utf8))
            sender.send(Array("flood.count:1|c".utf8))
            sent += 1
        }
        kill(first.pid, SIGKILL)
        #expect(first.wait() == 9)

        // Read-only: a writing store here would hold the writer lock the second collector needs.
        let store = try MeshtopStore.openReadOnly(path: db)
        #expect(try store.integrityCheck() == "ok")
        let spansBefore = try store.counters()["parsed.spans"] ?? 0
        #expect(spansBefore > 0)

        let second = try CollectorProcess(binary: binary, db: db)
        let again = try UDPSender(target: second.address)
        again.send(Array("<14>1 - host restarted - - - after the crash".utf8))
        // Wait for the line to be committed (a condition, not a fixed sleep), then stop cleanly.
        let committed = try MeshtopStore.openReadOnly(path: db)
        var seen = 0
        for _ in 0..<750 where seen == 0 {
            seen = try committed.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM logs WHERE service = 'restarted'") ?? 0
            }
            if seen == 0 { try await Task.sleep(nanoseconds: 20_000_000) }
        }
        kill(second.pid, SIGTERM)
        #expect(second.wait() == 0)
        let reopened = try MeshtopStore.openReadOnly(path: db)
        #expect(try reopened.integrityCheck() == "ok")
        let rows = try reopened.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM logs WHERE service = 'restarted'") ?? 0
        }
        #expect(rows == 1)
    }

    @Test func aPortInUseExitsWithCodeFour() async throws {
        guard let binary = Self.binary else {
            print("skipped: no meshtop binary next to the test bundle (run `swift build` first)")
            return
        }
        let h = try await Harness()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = [
            "collect", "--db", h.dir + "/other.db", "--listen", "\(h.lineAddress)", "--jaeger", "off", "--otlp", "off",
            "--otlp-grpc", "off", "--zipkin", "off",
        ]
        let err = Pipe()
        p.standardError = err
        try p.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 4)
        #expect(message.contains("\(h.lineAddress)"))
        #expect(message.contains("--listen"))
        await h.collector.stop()
    }
}

/// A `meshtop collect` child on an ephemeral port, its address read from the startup line.
final class CollectorProcess {
    let process = Process()
    let address: HostPort
    var pid: Int32 { process.processIdentifier }

    init(binary: String, db: String) throws {
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "collect", "--db", db, "--listen", "127.0.0.1:0", "--jaeger", "off", "--quiet", "--otlp", "off",
            "--otlp-grpc", "off", "--zipkin", "off",
        ]
        let err = Pipe()
        process.standardError = err
        try process.run()
        var text = ""
        while !text.contains("\n") {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        // "meshtop collect: listening on udp 127.0.0.1:PORT; db …"
        let afterUDP = text.components(separatedBy: "listening on udp ").last ?? ""
        let token = afterUDP.split(whereSeparator: { $0 == ";" || $0 == "," || $0 == " " }).first.map(String.init)
        guard let token, let address = HostPort(token) else {
            process.terminate()
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "no startup line: \(text)"])
        }
        self.address = address
    }

    /// Exit status, or the signal number when killed.
    func wait() -> Int32 {
        process.waitUntilExit()
        return process.terminationStatus
    }
}
