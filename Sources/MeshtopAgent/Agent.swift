import Dispatch
import Foundation
import Synchronization

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
        guard
            let loop = self.loop.withLock({ l -> AgentLoop? in
                defer { l = nil }; return l
            })
        else { return }
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
