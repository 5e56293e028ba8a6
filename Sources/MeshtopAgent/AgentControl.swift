import Dispatch
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
