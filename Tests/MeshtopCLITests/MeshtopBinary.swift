import Foundation
import Testing

/// Finds the built `meshtop` executable these tests drive: `$MESHTOP_BIN`, else the build directory that holds
/// the test bundle (`swift test` builds the executable next to it), else `<package>/.build/{debug,release}`.
enum MeshtopBinary {
    static let howToBuild =
        "meshtop binary not found: build it first (`swift build`, which `swift test` also does) or set "
        + "MESHTOP_BIN=/path/to/meshtop"

    /// The binary's path, or nil (with the places searched) when there is none.
    static let path: String? = locate()

    static func locate() -> String? {
        let fm = FileManager.default
        if let explicit = ProcessInfo.processInfo.environment["MESHTOP_BIN"], !explicit.isEmpty {
            return fm.isExecutableFile(atPath: explicit) ? explicit : nil
        }
        var candidates: [URL] = []
        for start in [Bundle.main.executableURL, URL(fileURLWithPath: CommandLine.arguments[0])].compactMap({ $0 }) {
            var dir = start.resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<4 {
                candidates.append(dir.appendingPathComponent("meshtop"))
                dir = dir.deletingLastPathComponent()
            }
        }
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        for config in ["debug", "release"] {
            candidates.append(package.appendingPathComponent(".build/\(config)/meshtop"))
        }
        return candidates.map(\.path).first { path in
            var isDir: ObjCBool = false
            return fm.fileExists(atPath: path, isDirectory: &isDir) && !isDir.boolValue
                && fm.isExecutableFile(atPath: path)
        }
    }

    /// The binary, or records an issue saying how to build it (so a missing binary fails instead of passing).
    static func require(sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        guard let path else {
            Issue.record(Comment(rawValue: howToBuild), sourceLocation: sourceLocation)
            return nil
        }
        return path
    }
}

/// What one finished run of the binary produced.
struct RunResult: CustomStringConvertible {
    var status: Int32
    var signalled: Bool
    var timedOut: Bool
    var stdoutBytes: [UInt8]
    var stderr: String

    var stdout: String { String(decoding: stdoutBytes, as: UTF8.self) }

    var description: String {
        "exit \(signalled ? "signal " : "")\(status)\(timedOut ? " (timed out)" : ""); stdout: "
            + String(stdout.prefix(2000)) + "; stderr: " + String(stderr.prefix(2000))
    }
}

/// A `meshtop` process with its stdout and stderr collected while it runs.
final class MeshtopProcess: @unchecked Sendable {
    // `out`/`err` are appended by the reader threads and read by the test; both guarded by `lock`.
    private let process = Process()
    private let lock = NSLock()
    private var out: [UInt8] = []
    private var err: [UInt8] = []
    private let readersDone = DispatchGroup()

    /// Starts `binary` with `arguments`; the environment is the test's minus `MESHTOP_DB` and `COLUMNS`.
    init(_ binary: String, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["MESHTOP_DB"] = nil
        env["COLUMNS"] = nil
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        let outPipe = Pipe()
        let errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        try process.run()
        drain(outPipe.fileHandleForReading, toStdout: true)
        drain(errPipe.fileHandleForReading, toStdout: false)
    }

    private func drain(_ handle: FileHandle, toStdout: Bool) {
        readersDone.enter()
        let thread = Thread { [self] in
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                lock.withLock {
                    if toStdout { out += data } else { err += data }
                }
            }
            readersDone.leave()
        }
        thread.start()
    }

    var pid: pid_t { process.processIdentifier }

    var stderrText: String { lock.withLock { String(decoding: err, as: UTF8.self) } }

    /// Polls stderr until it contains `text` or the process ends; false after `timeout` seconds.
    func waitForStderr(_ text: String, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if stderrText.contains(text) { return true }
            if !process.isRunning { return stderrText.contains(text) }
            usleep(20_000)
        }
        return false
    }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Kills the process if a failed expectation left it running (a no-op once it has been waited for).
    func killIfRunning() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Waits for the process to end; after `timeout` seconds it is killed and the result marked timed out.
    func wait(timeout: Double) -> RunResult {
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() >= deadline {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
                break
            }
            usleep(10_000)
        }
        process.waitUntilExit()
        _ = readersDone.wait(timeout: .now() + 5)
        return lock.withLock {
            RunResult(
                status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
                timedOut: timedOut, stdoutBytes: out, stderr: String(decoding: err, as: UTF8.self))
        }
    }
}

/// Runs the binary to completion.
func runMeshtop(_ binary: String, _ arguments: [String], timeout: Double = 30) throws -> RunResult {
    try MeshtopProcess(binary, arguments).wait(timeout: timeout)
}

/// A fresh temporary directory for one test's databases.
func makeTemporaryDirectory() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("meshtop-cli-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.path
}

/// Parses stdout as a JSON object or array.
func parseJSON(_ result: RunResult) -> Any? {
    try? JSONSerialization.jsonObject(with: Data(result.stdoutBytes), options: [.fragmentsAllowed])
}
