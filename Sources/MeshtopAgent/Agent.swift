import Dispatch
import Foundation
import Synchronization

/// Shared between the agent's thread and its owner: the stop flag, the latest stats, completion.
final class AgentControl: Sendable {
    private struct State {
        var stopRequested = false
        var finished = false
        var stats = AgentStats()
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    let done = DispatchSemaphore(value: 0)

    var stopRequested: Bool { state.withLock { $0.stopRequested } }
    var stats: AgentStats { state.withLock { $0.stats } }
    var finished: Bool { state.withLock { $0.finished } }

    func requestStop() { state.withLock { $0.stopRequested = true } }

    func publish(_ stats: AgentStats) { state.withLock { $0.stats = stats } }

    func markFinished() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.finished = true
            defer { s.waiters.removeAll() }
            return s.waiters
        }
        done.signal()
        for w in waiters { w.resume() }
    }

    func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { s -> Bool in
                if s.finished { return true }
                s.waiters.append(c)
                return false
            }
            if resumeNow { c.resume() }
        }
    }
}

/// The log-ingest agent (`meshtop agent`): follows files like `tail -F` (or reads stdin), joins multi-line
/// records, and ships them to a collector over UDP as meshtop log lines, checkpointing offsets of shipped lines.
///
/// ```swift
/// var config = AgentConfig()
/// config.paths = ["/var/log/app/*.log"]
/// config.statePath = "/var/lib/meshtop/agent.state"
/// let agent = try Agent(config: config)
/// agent.start()
/// …
/// agent.stop()  // ships what is queued, writes the checkpoint
/// ```
public final class Agent: Sendable {
    public let config: AgentConfig
    private let control = AgentControl()
    private let loop: Mutex<AgentLoop?>

    /// Validates the configuration, resolves `--to`, compiles `--multiline` and reads the state file.
    public init(config: AgentConfig) throws(AgentError) {
        self.config = config
        let loop = try AgentLoop(config: config, control: control)
        self.loop = Mutex(loop)
    }

    /// Starts the agent on its own thread. Calling it again does nothing.
    public func start() {
        guard let loop = self.loop.withLock({ l -> AgentLoop? in defer { l = nil }; return l }) else { return }
        let control = self.control
        let box = LoopBox(loop)
        let thread = Thread {
            box.take().run()
            control.markFinished()
        }
        thread.name = "meshtop-agent"
        thread.start()
    }

    /// Asks the agent to stop and waits until it has shipped what it could and written its checkpoint.
    public func stop() {
        control.requestStop()
        guard loop.withLock({ $0 == nil }) else { return }
        // A latch: take the completion signal and put it back for any other caller.
        control.done.wait()
        control.done.signal()
    }

    /// Waits until the agent ends (stopped, or stdin ended and everything was sent).
    public func waitUntilFinished() async {
        await control.wait()
    }

    /// Counters so far.
    public var stats: AgentStats { control.stats }
}

/// Hands the loop, which is confined to one thread, over to that thread.
private final class LoopBox: @unchecked Sendable {
    private var loop: AgentLoop?
    init(_ loop: AgentLoop) { self.loop = loop }
    func take() -> AgentLoop {
        defer { loop = nil }
        return loop!
    }
}
