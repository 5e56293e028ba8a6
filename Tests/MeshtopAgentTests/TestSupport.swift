import Foundation
import Glibc
import Synchronization
import Testing

@testable import MeshtopAgent

/// A real UDP socket on 127.0.0.1:0 that collects every datagram it receives, split into lines.
final class UDPReceiver: Sendable {
    let port: UInt16
    private let fd: Int32
    private let received = Mutex<[String]>([])
    private let datagrams = Mutex<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let closed = Atomic<Bool>(false)

    /// Binds 127.0.0.1:`port` (0 picks a free one).
    init(port requested: UInt16 = 0) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        self.fd = fd
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = requested.bigEndian
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var size: Int32 = 8 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var tv = timeval(tv_sec: 0, tv_usec: 50_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var bound = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        port = UInt16(bigEndian: bound.sin_port)
        let thread = Thread { [self] in receiveLoop() }
        thread.start()
    }

    deinit { close() }

    /// Stops receiving and closes the socket, so the port is unreachable.
    func close() {
        stop()
        guard !closed.exchange(true, ordering: .relaxed) else { return }
        usleep(80_000)
        Glibc.close(fd)
    }

    private func receiveLoop() {
        var buf = [UInt8](repeating: 0, count: 70_000)
        while !stopping.load(ordering: .relaxed) {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { continue }
            let text = String(decoding: buf[0..<n], as: UTF8.self)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            received.withLock { $0.append(contentsOf: lines) }
            datagrams.withLock { $0 += 1 }
        }
    }

    func stop() { stopping.store(true, ordering: .relaxed) }

    var destination: String { "127.0.0.1:\(port)" }

    /// Every line received so far, self-report metrics left out.
    var lines: [String] { received.withLock { $0 }.filter { !$0.hasPrefix("meshtop.agent.") } }
    var allLines: [String] { received.withLock { $0 } }
    var datagramCount: Int { datagrams.withLock { $0 } }

    /// The log records received, parsed.
    var records: [[String: Any]] {
        lines.compactMap { line in
            guard let data = line.data(using: .utf8) else { return nil }
            return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        }
    }

    /// `msg` of every record received, in order.
    var messages: [String] { records.compactMap { $0["msg"] as? String } }
}

/// Polls `condition` every 5 ms until it holds or `timeout` seconds pass.
@discardableResult
func eventually(timeout: Double = 10, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(5_000)
    }
    return condition()
}

/// A fresh temporary directory, removed by `cleanup()`.
struct TempDir {
    let path: String

    init() {
        var template = Array((NSTemporaryDirectory() + "meshtop-agent-XXXXXX").utf8CString)
        let p = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        path = String(cString: p!)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

/// Appends `text` to `path` (creating it), the way a logger does.
func append(_ text: String, to path: String) {
    let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    precondition(fd >= 0, "cannot open \(path)")
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
}

/// `count` numbered lines `prefix-start` … as one string.
func numbered(_ prefix: String, _ range: ClosedRange<Int>) -> String {
    range.map { "\(prefix)-\($0)\n" }.joined()
}

func names(_ prefix: String, _ range: ClosedRange<Int>) -> [String] { range.map { "\(prefix)-\($0)" } }

/// A configuration with short intervals so tests finish quickly.
func testConfig(_ receiver: UDPReceiver, paths: [String]) -> AgentConfig {
    var c = AgentConfig()
    c.destination = receiver.destination
    c.paths = paths
    c.service = "test"
    c.hostName = "testhost"
    c.pollInterval = 5_000_000
    c.rescanInterval = 50_000_000
    c.idleFlush = 50_000_000
    c.checkpointInterval = 20_000_000
    c.missingGrace = 2_000_000_000
    c.wallClock = { 1_795_000_000_000_000 }
    return c
}

/// One end-to-end scenario: a temp dir, a receiver, and agents started against them.
final class Harness {
    let dir = TempDir()
    let rx = UDPReceiver()
    private var agents: [Agent] = []

    /// `dir/app.log`, created empty unless told otherwise.
    let log: String

    init(createLog: Bool = true) {
        log = dir.file("app.log")
        if createLog { append("", to: log) }
    }

    /// Starts an agent on `paths` (default: the log) and waits until it follows `following` files.
    @discardableResult
    func start(
        _ paths: [String]? = nil, following: Int = 1, _ tweak: (inout AgentConfig) -> Void = { _ in }
    ) throws -> Agent {
        var config = testConfig(rx, paths: paths ?? [log])
        tweak(&config)
        let agent = try Agent(config: config)
        agents.append(agent)
        agent.start()
        #expect(eventually { agent.stats.filesFollowed == following })
        return agent
    }

    /// Waits until `expected.count` messages arrived, lets stragglers come, and compares.
    func expectMessages(_ expected: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(eventually { rx.messages.count >= expected.count }, sourceLocation: sourceLocation)
        usleep(100_000)
        #expect(rx.messages == expected, sourceLocation: sourceLocation)
    }

    func finish() {
        for a in agents { a.stop() }
        rx.stop()
        dir.cleanup()
    }
}
