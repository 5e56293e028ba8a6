import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGINT and SIGTERM (stop) and SIGHUP (reload), caught from the moment `install()` returns and never lost.
///
/// A C handler writes the signal's number into a pipe; `run` reads it on a thread of its own. A signal that
/// arrives before anyone waits stays in the pipe. (The previous way, `SIG_IGN` plus dispatch signal sources, lost
/// a SIGTERM sent between ignoring it and the source being armed: a supervisor that signalled right after the
/// "listening" line saw the collector keep running, docs/collector.md, "Signals".)
public final class StopSignals: Sendable {
    private let readFD: Int32

    /// The write end the handler uses: one set of stop signals per process at a time.
    nonisolated(unsafe) private static var handlerFD: Int32 = -1

    private init(readFD: Int32) {
        self.readFD = readFD
    }

    /// Catches the stop signals, and SIGHUP when `hangup`, from now on (call before announcing readiness).
    public static func install(hangup: Bool = true) -> StopSignals {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { fatalError("meshtop: pipe failed (errno \(errno))") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        handlerFD = fds[1]
        for sig in hangup ? [SIGINT, SIGTERM, SIGHUP] : [SIGINT, SIGTERM] {
            _ = signal(sig) { number in
                var byte = UInt8(truncatingIfNeeded: number)
                let saved = errno
                _ = write(StopSignals.handlerFD, &byte, 1)
                errno = saved
            }
        }
        return StopSignals(readFD: fds[0])
    }

    /// On a thread of its own: `onHangup` for each SIGHUP, then `onStop` once, at the first SIGINT or SIGTERM
    /// (or one that came before this call).
    public func run(onHangup: @escaping @Sendable () -> Void, onStop: @escaping @Sendable () -> Void) {
        let fd = readFD
        let thread = Thread {
            var byte: UInt8 = 0
            while true {
                let n = read(fd, &byte, 1)
                if n < 0 && errno == EINTR { continue }
                if n == 1 && Int32(byte) == SIGHUP {
                    onHangup()
                    continue
                }
                break
            }
            onStop()
        }
        thread.name = "meshtop.signals"
        thread.start()
    }

    /// Returns at the first SIGINT or SIGTERM, running `onHangup` on each SIGHUP meanwhile.
    public func waitForStop(onHangup: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            run(onHangup: onHangup, onStop: { done.resume() })
        }
    }

    /// The default actions again (tests; a process that stops keeps the handlers to the end).
    public func restoreDefaults() {
        for sig in [SIGINT, SIGTERM, SIGHUP] { _ = signal(sig, SIG_DFL) }
    }
}
