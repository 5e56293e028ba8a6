import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
    /// A pipe whose read end becomes readable on stop, so a loop waiting in `poll` wakes at once.
    let wakeDescriptor: Int32
    private let wakeWriter: Int32

    init() {
        var ends: [Int32] = [-1, -1]
        if pipe(&ends) == 0 {
            for fd in ends {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
        }
        wakeDescriptor = ends[0]
        wakeWriter = ends[1]
    }

    deinit {
        if wakeDescriptor >= 0 { close(wakeDescriptor) }
        if wakeWriter >= 0 { close(wakeWriter) }
    }

    var stopRequested: Bool { state.withLock { $0.stopRequested } }
    var stats: AgentStats { state.withLock { $0.stats } }
    var finished: Bool { state.withLock { $0.finished } }

    func requestStop() {
        state.withLock { $0.stopRequested = true }
        var byte: UInt8 = 1
        if wakeWriter >= 0 { _ = write(wakeWriter, &byte, 1) }
    }

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
