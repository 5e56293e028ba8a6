import Foundation
import MeshtopModel

/// Paces a simulator against the wall clock: every `tick` of wall time, simulated time advances by
/// `tick × speed`, and what the services emitted is sent. Event times are chosen so that the story ends at
/// about "now" when run fast (`start = now − duration × (1 − 1/speed)`), which keeps every span inside the
/// console's default 15-minute window. After the first playing, further loops run in real time.
public final class DemoRunner: @unchecked Sendable {
    // `stop()` may be called from another thread; the flag is guarded by a lock.
    private let lock = NSLock()
    private var stopped = false
    public let speed: Double
    public let tickMicros: Int64

    public init(speed: Double, tickMicros: Int64 = 100_000) {
        self.speed = max(speed, 0.01)
        self.tickMicros = tickMicros
    }

    public func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
    }

    var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    /// The event-time start for a story of `durationMicros` run at this speed, ending near `nowMicros`.
    ///
    /// Faster than real time, the start (already in the past) moves back by less than a minute more so that story
    /// time `alignMicros` (the incident's first step) begins a minute: governance merges per-minute rollups for
    /// alert windows, so the incident's minutes then hold only incident traffic and alerts fire and resolve at
    /// the same story times on every run. At speed 1 events carry the wall clock exactly.
    public func storyStart(nowMicros: Int64, durationMicros: Int64, alignMicros: Int64 = 0) -> Int64 {
        let start = nowMicros - Int64(Double(durationMicros) * (1 - 1 / speed))
        guard speed > 1 else { return start }
        let minute: Int64 = 60_000_000
        let anchor = start + alignMicros
        return anchor - ((anchor % minute) + minute) % minute - alignMicros
    }

    /// Runs until the story has been played `loops` times (nil: until stopped). Returns the final simulator.
    @discardableResult
    public func run(
        scenario: Scenario, sender: DemoSender, loops: Int? = 1, narrate: @escaping (String) -> Void = { _ in }
    ) -> Simulator {
        var loop = 0
        let nowMicros = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let incident = (scenario.story ?? []).compactMap { DurationText.parseMicros($0.at) }.min() ?? 0
        var sim = Simulator(
            scenario: scenario,
            startMicros: storyStart(
                nowMicros: nowMicros, durationMicros: scenario.durationMicros, alignMicros: incident))
        var simStep = Int64(Double(tickMicros) * speed)
        let began = DispatchTime.now().uptimeNanoseconds
        var ticks: UInt64 = 0
        while !isStopped {
            if sim.isFinished {
                loop += 1
                if let l = loops, loop >= l { break }
                // The first playing ends at about "now"; later loops run in real time so event time keeps
                // pace with the clock (at speed X it would run ahead of it by (X − 1) s every second).
                simStep = tickMicros
                sim = Simulator(
                    scenario: scenario, startMicros: sim.startMicros + sim.elapsedMicros,
                    seed: (scenario.seed ?? 1) &+ UInt64(loop))
            }
            let batch = sim.step(simStep)
            batch.narration.forEach(narrate)
            sender.send(batch, transport: sim.transport(of:))
            ticks += 1
            let due = began + ticks * UInt64(tickMicros) * 1_000
            let now = DispatchTime.now().uptimeNanoseconds
            if due > now { usleep(UInt32((due - now) / 1_000)) }
        }
        return sim
    }
}
