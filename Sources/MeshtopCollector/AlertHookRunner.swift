import Foundation
import Logging
import MeshtopModel

/// Runs `--on-alert CMD` through `/bin/sh -c` with one alert transition as JSON on stdin. Commands run one at a
/// time on their own queue, so the writer never waits; each is killed after the timeout; failures are logged and
/// never stop the collector. At most `maxPending` transitions wait; more are logged and skipped.
final class AlertHookRunner: @unchecked Sendable {
    private let command: String
    private let timeoutMicros: Int64
    private let logger: Logger
    private let work = DispatchQueue(label: "meshtop.on-alert")
    private let lock = NSLock()
    private var pending = 0
    private let maxPending = 256

    init(command: String, timeoutMicros: Int64, logger: Logger) {
        self.command = command
        self.timeoutMicros = timeoutMicros
        self.logger = logger
    }

    /// Queues one run for a firing or resolved transition.
    func run(transition: AlertTransition) {
        lock.lock()
        let accepted = pending < maxPending
        if accepted { pending += 1 }
        lock.unlock()
        guard accepted else {
            logger.warning(
                "--on-alert: \(maxPending) runs already waiting; skipped \(transition.rule) → \(transition.to)")
            return
        }
        let payload = Array((AlertHookRunner.json(transition) + "\n").utf8)
        work.async { [self] in
            self.execute(payload: payload, rule: transition.rule)
            self.lock.lock()
            self.pending -= 1
            self.lock.unlock()
        }
    }

    /// Blocks until every queued run has finished (used on shutdown).
    func drain() {
        work.sync {}
    }

    private func execute(payload: [UInt8], rule: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let stdin = Pipe()
        process.standardInput = stdin
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        do {
            try process.run()
        } catch {
            logger.error("--on-alert could not start `/bin/sh -c \(command)`: \(error)")
            return
        }
        // The command may exit without reading stdin: writing must not kill us with SIGPIPE (ignored at start).
        try? stdin.fileHandleForWriting.write(contentsOf: payload)
        try? stdin.fileHandleForWriting.close()
        let timeout = DispatchTime.now() + .microseconds(Int(timeoutMicros))
        if done.wait(timeout: timeout) == .timedOut {
            let limit = DurationText.format(micros: timeoutMicros)
            logger.warning("--on-alert for \(rule) ran longer than \(limit); killed")
            kill(process.processIdentifier, SIGKILL)
            done.wait()
        } else if process.terminationStatus != 0 {
            logger.warning("--on-alert for \(rule) exited with status \(process.terminationStatus)")
        }
    }

    /// The transition as one JSON object (snake_case keys, RFC 3339 times).
    static func json(_ t: AlertTransition) -> String {
        let labels =
            "{"
            + t.labels.map { JSONText.quote($0.key) + ":" + JSONText.quote($0.value.text) }
            .joined(separator: ",") + "}"
        return "{\"rule\":\(JSONText.quote(t.rule)),\"severity\":\(JSONText.quote(t.severity)),"
            + "\"labels\":\(labels),\"from\":\"\(t.from.rawValue)\",\"state\":\"\(t.to.rawValue)\","
            + "\"at\":\"\(RFC3339.format(micros: t.atMicros))\",\"value\":\(JSONText.number(t.value)),"
            + "\"summary\":\(JSONText.quote(t.summary))}"
    }
}
