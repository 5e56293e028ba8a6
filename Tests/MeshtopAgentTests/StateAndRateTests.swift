import Foundation
import Glibc
import Testing

@testable import MeshtopAgent

@Suite struct StateAndRateTests {
    @Test func stateFileRoundTripsAndReplacesAtomically() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let state = StateFile(path: dir.file("s.json"))
        #expect(try state.load() == [])
        let files = [
            FileCheckpoint(
                path: "/a.log", device: 1, inode: 2, fingerprint: "00000000000000ff", fingerprintLength: 9, offset: 42)
        ]
        try state.save(files)
        #expect(try state.load() == files)
        try state.save([])
        #expect(try state.load() == [])
        #expect(access(dir.file("s.json.tmp"), F_OK) != 0)
    }

    @Test func corruptStateFileIsAnErrorThatSaysWhatToDo() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.file("s.json")
        append("{not json", to: path)
        #expect(throws: AgentError.stateCorrupt(path, "not valid JSON")) { try StateFile(path: path).load() }
        let message = AgentError.stateCorrupt(path, "not valid JSON").description
        #expect(message.contains("\(path) is not a meshtop agent state file (not valid JSON)"))
        #expect(message.contains("delete it to start over") && message.contains("--state"))
        #expect(!message.contains("permissions"), "a corrupt file is not a permissions problem")

        let other = dir.file("other.json")
        append(#"{"version":1,"files":[{"path":"/a.log"}]}"#, to: other)
        #expect(throws: AgentError.stateCorrupt(other, "files[0].device is missing")) {
            try StateFile(path: other).load()
        }
    }

    @Test func unreadableAndUnwritableStateFilesSayWhatToDo() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        // A directory where the file should be: exists, but cannot be read as a file.
        let folder = dir.file("state.d")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        #expect(throws: AgentError.stateUnreadable(folder, "it is not a regular file")) {
            try StateFile(path: folder).load()
        }
        #expect(AgentError.stateUnreadable(folder, "x").description.contains("pass --state with another file"))
        let missing = dir.file("no/such/dir/s.json")
        do {
            try StateFile(path: missing).save([])
            Issue.record("saved under a missing directory")
        } catch {
            guard case .stateUnwritable(let p, let why) = error else {
                Issue.record("expected .stateUnwritable, got \(error)")
                return
            }
            #expect(p == missing && why.contains("No such file or directory"))
            #expect(error.description.contains("make its directory writable"))
            #expect(!error.description.contains("remove it"), "removing the file would not help")
        }
    }

    @Test func tokenBucketAllowsOneSecondThenTheRate() {
        var b = TokenBucket(rate: 10, now: 0)
        #expect(b.available(now: 0, wanted: 100) == 10)
        b.take(10)
        #expect(b.available(now: 0, wanted: 100) == 0)
        #expect(b.wait() > 0)
        #expect(b.available(now: 500_000_000, wanted: 100) == 5)
        #expect(b.available(now: 5_000_000_000, wanted: 100) == 10)
    }

    @Test func fingerprintHashesTheFirstBytes() {
        #expect(Fingerprint.fnv1a([]) == 0xcbf2_9ce4_8422_2325)
        #expect(Fingerprint.fnv1a(Array("a".utf8)) == 0xaf63_dc4c_8601_ec8c)
        #expect(Fingerprint(length: 1, hash: 255).hex == "00000000000000ff")
    }

    @Test func serviceNameComesFromTheFileStem() {
        #expect(AgentLoop.serviceName(path: "/var/log/api.log.1") == "api")
        #expect(AgentLoop.serviceName(path: "worker") == "worker")
        #expect(AgentLoop.serviceName(path: "/x/.hidden") == ".hidden")
    }

    @Test func badConfigurationIsRejectedWithAReason() {
        var c = AgentConfig()
        c.paths = ["/tmp/x.log"]
        c.destination = "nohost"
        #expect(throws: AgentError.destination("nohost", "no port")) { try Agent(config: c) }
        c.destination = "127.0.0.1:1"
        c.multilinePattern = "(["
        #expect(throws: AgentError.self) { try Agent(config: c) }
        c.multilinePattern = nil
        c.statePath = "/nonexistent-dir/agent.state"
        #expect(throws: AgentError.self) { try Agent(config: c) }
        c.statePath = nil
        c.paths = []
        #expect(throws: AgentError.noInput) { try Agent(config: c) }
    }
}
