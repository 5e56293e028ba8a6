import MeshtopConsole
import MeshtopModel
import MeshtopQuery

/// Times one console frame (update + view + the diff against the previous frame) on a big fake dataset. Not a
/// unit test: the lead exposes it as `meshtop bench console`.
public enum ConsoleBenchmark {
    /// Timings in milliseconds per frame.
    public struct Result: Sendable, CustomStringConvertible {
        public var rows: Int
        public var cols: Int
        public var frames: Int
        /// Per page: mean ms for update+view, and for the diff.
        public var pages: [(name: String, frameMs: Double, diffMs: Double)]
        /// Folding one answer of every request into the state: the first time (includes laying out the
        /// topology) and on a later refresh (the layout is reused when the graph's shape is unchanged).
        public var firstLoadMs: Double
        public var refreshLoadMs: Double

        public var description: String {
            var s = "console frame at \(cols)x\(rows), \(frames) frames per view (update+view / screen diff):\n"
            for p in pages {
                s +=
                    "  " + p.name.fitted(to: 10) + Format.fixed(p.frameMs, 2) + " ms / " + Format.fixed(p.diffMs, 2)
                    + " ms\n"
            }
            let worst = pages.map { $0.frameMs + $0.diffMs }.max() ?? 0
            s += "  worst frame " + Format.fixed(worst, 2) + " ms\n"
            s +=
                "  folding every view's answers: first " + Format.fixed(firstLoadMs, 2) + " ms, refresh "
                + Format.fixed(refreshLoadMs, 2) + " ms"
            return s
        }
    }

    /// Runs `frames` frames per view at `rows × cols` over `SampleQueries(scale:)` (scale 50: 1,000 services
    /// and edges, 300 traces, 2,000 logs, 2,500 metric series), timed with the monotonic clock.
    public static func run(rows: Int = 60, cols: Int = 200, scale: Int = 50, frames: Int = 50) -> Result {
        let clock = ContinuousClock()
        let start = clock.now
        return run(rows: rows, cols: cols, scale: scale, frames: frames) {
            let d = clock.now - start
            return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
    }

    /// As `run(rows:cols:scale:frames:)` with a caller's clock returning seconds.
    public static func run(
        rows: Int = 60, cols: Int = 200, scale: Int = 50, frames: Int = 50,
        clock: () -> Double
    ) -> Result {
        let now: Int64 = 1_795_000_000_000_000
        let reader = SampleQueries(nowMicros: now, scale: scale)
        var state = ConsoleState(rows: rows, cols: cols, nowMicros: now)
        // Load every view's data once, as the effect runner would; time only the folding, not the fake reads.
        var loadTimes: [Double] = []
        for _ in 0..<2 {
            var loadTime = 0.0
            for tab in Tab.allCases {
                state.tab = tab
                for case .load(let req) in ConsoleUpdate.loads(for: tab, state) + [.load(.status)] {
                    let answer = Message.loaded(req.perform(on: reader))
                    let t0 = clock()
                    state = ConsoleUpdate.update(state, answer).0
                    loadTime += clock() - t0
                }
            }
            loadTimes.append(loadTime * 1_000)
        }
        var pages: [(String, Double, Double)] = []
        var targets: [(String, ConsoleState)] = Tab.allCases.map { t in
            var s = state
            s.tab = t
            return (t.title, s)
        }
        var traceState = state
        traceState.tab = .traces
        (traceState, _) = ConsoleUpdate.update(traceState, .key(.enter))
        if let id = traceState.trace?.id {
            traceState = ConsoleUpdate.update(traceState, .loaded(Request.trace(id).perform(on: reader))).0
        }
        targets.append(("Waterfall", traceState))
        for (name, start) in targets {
            var s = start
            var previous: Screen? = ConsoleView.render(s)
            var frameTime = 0.0
            var diffTime = 0.0
            var runs = 0
            for k in 0..<frames {
                let t0 = clock()
                (s, _) = ConsoleUpdate.update(s, .key(k % 2 == 0 ? .down : .up))
                (s, _) = ConsoleUpdate.update(s, .tick(nowMicros: now + Int64(k) * 1_000_000))
                let screen = ConsoleView.render(s)
                let t1 = clock()
                runs += ScreenDiff.runs(from: previous, to: screen).count
                let t2 = clock()
                previous = screen
                frameTime += t1 - t0
                diffTime += t2 - t1
            }
            precondition(runs >= 0)
            pages.append((name, frameTime * 1_000 / Double(frames), diffTime * 1_000 / Double(frames)))
        }
        return Result(
            rows: rows, cols: cols, frames: frames, pages: pages, firstLoadMs: loadTimes[0], refreshLoadMs: loadTimes[1]
        )
    }
}
