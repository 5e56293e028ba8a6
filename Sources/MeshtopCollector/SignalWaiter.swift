import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Waits for SIGINT or SIGTERM, running `onHangup` on each SIGHUP meanwhile (the collector's reload signal).
public enum SignalWaiter {
    public static func waitForStop(onHangup: @escaping @Sendable () -> Void) async {
        let queue = DispatchQueue(label: "meshtop.signals")
        for sig in [SIGINT, SIGTERM, SIGHUP] { signal(sig, SIG_IGN) }
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: queue)
        hangup.setEventHandler(handler: onHangup)
        hangup.resume()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let once = Once()
            let sources = [SIGINT, SIGTERM].map { DispatchSource.makeSignalSource(signal: $0, queue: queue) }
            for source in sources {
                source.setEventHandler {
                    guard once.fire() else { return }
                    for s in sources { s.cancel() }
                    done.resume()
                }
                source.resume()
            }
        }
        hangup.cancel()
    }
}

/// Fires once; used from the serial signal queue only.
private final class Once: @unchecked Sendable {
    private var fired = false
    func fire() -> Bool {
        if fired { return false }
        fired = true
        return true
    }
}
