import Foundation
import MeshtopConsole
import MeshtopModel
import MeshtopQuery

/// The console's input loop: curses in, messages to `ConsoleUpdate`, effects to the `EffectRunner`, frames out.
/// The terminal is restored on every way out: quit, a signal, or a thrown error.
public enum ConsoleRunner {
    /// How the loop ended.
    public enum Exit: Sendable, Equatable {
        case quit
        case signal(Int32)
    }

    /// Runs until `q`/`:q` or SIGINT/SIGTERM/SIGHUP. `now` gives wall-clock µs.
    public static func run(
        reader: any QueryReading, options: ConsoleOptions,
        now: @escaping @Sendable () -> Int64 = ConsoleRunner.wallClock
    ) throws -> Exit {
        let signals = SignalFlag()
        defer { signals.cancel() }
        // One frame: input waits at most this long, so answers from the runner are drawn within a frame.
        let frameMillis: Int32 = 50
        let terminal = try Terminal(color: options.color, inputTimeoutMillis: frameMillis)
        defer { terminal.stop() }
        let runner = EffectRunner(reader: reader)
        let size = terminal.size
        var state = ConsoleState(rows: size.rows, cols: size.cols, nowMicros: now(), options: options)
        var lastTick = state.nowMicros
        var dirty = true

        func send(_ message: Message) {
            let (next, effects) = ConsoleUpdate.update(state, message)
            if next != state { dirty = true }
            state = next
            for e in effects {
                if case .load(let r) = e { runner.submit(r) }
            }
        }
        for case .load(let r) in ConsoleUpdate.start(state) { runner.submit(r) }

        while !state.quitting {
            if let sig = signals.received { return .signal(sig) }
            if dirty {
                terminal.draw(ConsoleView.render(state))
                dirty = false
            }
            if let event = terminal.readKey() {
                switch event {
                case .key(let k): send(.key(k))
                case .resize:
                    terminal.invalidate()
                    let s = terminal.size
                    send(.resize(rows: s.rows, cols: s.cols))
                    dirty = true
                }
            }
            for m in runner.drain() { send(m) }
            let t = now()
            if t - lastTick >= options.refreshMicros {
                lastTick = t
                send(.tick(nowMicros: t))
            }
        }
        return .quit
    }

    /// Wall-clock time in µs.
    public static let wallClock: @Sendable () -> Int64 = { SystemClock.wallMicros() }
}
