import Foundation
import Testing

/// The documented exit codes (SPEC §1: 0 ok, 1 --fail-on held, 2 usage, 3 database, 4 bind) of the real binary,
/// each with a message that names what was wrong.
@Suite struct ExitCodeTests {
    @Test func unknownFlagIsAUsageErrorNamingTheFlag() throws {
        guard let bin = MeshtopBinary.require() else { return }
        let r = try runMeshtop(bin, ["query", "services", "--no-such-flag"])
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("--no-such-flag"), "\(r)")
        #expect(r.stdout.isEmpty, "\(r)")
    }

    @Test func malformedValueIsAUsageErrorNamingTheFlag() throws {
        guard let bin = MeshtopBinary.require() else { return }
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try runMeshtop(bin, ["query", "services", "--since", "banana", "--db", dir + "/x.db"])
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("--since"), "\(r)")
        #expect(r.stderr.contains("banana"), "\(r)")
        let format = try runMeshtop(bin, ["query", "logs", "--format", "yaml", "--db", dir + "/x.db"])
        #expect(format.status == 2, "\(format)")
        #expect(format.stderr.contains("--format"), "\(format)")
        let listen = try runMeshtop(bin, ["collect", "--db", dir + "/x.db", "--listen", "nowhere"])
        #expect(listen.status == 2, "\(listen)")
        #expect(listen.stderr.contains("--listen"), "\(listen)")
        let share = try runMeshtop(bin, ["collect", "--db", dir + "/x.db", "--reuse-port", "--listen", "127.0.0.1:0"])
        #expect(share.status == 2, "\(share)")
        #expect(share.stderr.contains("--reuse-port") && share.stderr.contains("postgresql://"), "\(share)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/x.db"), "a usage error must not create the database")
    }

    @Test func missingDatabaseExits3AndSaysWhatToDo() throws {
        guard let bin = MeshtopBinary.require() else { return }
        for sub in [["services"], ["logs"], ["stats"], ["sql", "SELECT 1"]] {
            let r = try runMeshtop(bin, ["query"] + sub + ["--db", "/nonexistent/x.db"])
            #expect(r.status == 3, "query \(sub[0]): \(r)")
            #expect(r.stderr.contains("/nonexistent/x.db"), "query \(sub[0]) names the path: \(r)")
            #expect(
                r.stderr.contains("meshtop collect") || r.stderr.contains("--db"),
                "query \(sub[0]) says what to do: \(r)")
        }
    }

    @Test func listenerPortInUseExits4() throws {
        guard let bin = MeshtopBinary.require() else { return }
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let holder = try LoopbackUDPSocket()
        let r = try runMeshtop(
            bin,
            [
                "collect", "--db", dir + "/c.db", "--listen", "127.0.0.1:\(holder.port)", "--jaeger", "off", "--otlp",
                "off", "--otlp-grpc", "off", "--zipkin", "off",
            ],
            timeout: 20)
        #expect(r.status == 4, "\(r)")
        #expect(r.stderr.contains("\(holder.port)"), "the message names the port: \(r)")
        let jaegerHolder = try LoopbackUDPSocket()
        let freeLines = try LoopbackUDPSocket.freePort()
        let j = try runMeshtop(
            bin,
            [
                "collect", "--db", dir + "/c.db", "--listen", "127.0.0.1:\(freeLines)",
                "--jaeger", "127.0.0.1:\(jaegerHolder.port)", "--otlp", "off", "--otlp-grpc", "off", "--zipkin", "off",
            ], timeout: 20)
        #expect(j.status == 4, "jaeger port in use: \(j)")
        #expect(j.stderr.contains("\(jaegerHolder.port)"), "\(j)")
    }

    @Test func completionScriptNamesTheCommand() throws {
        guard let bin = MeshtopBinary.require() else { return }
        let r = try runMeshtop(bin, ["--generate-completion-script", "bash"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("meshtop"), "\(r)")
        #expect(r.stdout.contains("complete"), "a bash completion script registers with `complete`: \(r)")
        #expect(r.stdout.contains("collect") && r.stdout.contains("query"), "it lists the subcommands")
    }

    @Test func helpListsEverySubcommand() throws {
        guard let bin = MeshtopBinary.require() else { return }
        let r = try runMeshtop(bin, ["--help"])
        #expect(r.status == 0, "\(r)")
        for sub in ["collect", "console", "query", "agent", "send", "demo"] {
            #expect(r.stdout.contains(sub), "--help lists \(sub): \(r)")
        }
    }
}
