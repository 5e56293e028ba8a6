import Dispatch
import Foundation
import Testing

@testable import MeshtopCollector

#if canImport(Glibc)
import Glibc
#endif

/// Signals are acted on however early they come (the CI flake of `aSecondCollectorOnTheSameDatabaseRefusesNamingThe
/// First`: a SIGTERM sent right after the "listening" line was lost and the collector ran on until killed). The
/// signals go to the process (`kill`, as a supervisor sends them), not to a thread: `raise` on a dispatch worker,
/// which blocks signals, would leave them pending there.
@Suite(.serialized) struct StopSignalsTests {
    @Test func aStopSentBeforeAnyoneWaitsIsKept() throws {
        let signals = StopSignals.install()
        defer { signals.restoreDefaults() }
        // Under the old SIG_IGN + dispatch sources this was ignored (or, before them, ended the process).
        #expect(kill(getpid(), SIGTERM) == 0)
        usleep(200_000)
        let stopped = DispatchSemaphore(value: 0)
        signals.run(onHangup: {}, onStop: { stopped.signal() })
        #expect(stopped.wait(timeout: .now() + 30) == .success)
    }

    @Test func hangupsReloadAndAStopWhileWaitingStops() throws {
        let signals = StopSignals.install()
        defer { signals.restoreDefaults() }
        let hangup = DispatchSemaphore(value: 0)
        let stopped = DispatchSemaphore(value: 0)
        signals.run(onHangup: { hangup.signal() }, onStop: { stopped.signal() })
        #expect(kill(getpid(), SIGHUP) == 0)
        #expect(hangup.wait(timeout: .now() + 30) == .success)
        #expect(stopped.wait(timeout: .now() + 0.2) == .timedOut)
        #expect(kill(getpid(), SIGINT) == 0)
        #expect(stopped.wait(timeout: .now() + 30) == .success)
    }
}
