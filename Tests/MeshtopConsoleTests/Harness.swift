import Foundation
import MeshtopConsole
import MeshtopModel
import MeshtopQuery
import Testing

/// Fixed "now" for every test: 2026-11-18T11:06:40Z.
let fixedNow: Int64 = 1_795_000_000_000_000

/// Drives the pure update function like the terminal's runner does, but synchronously: every load effect is
/// performed on the fake reader and its answer fed back, until no effects remain.
struct Harness {
    var state: ConsoleState
    let reader: any QueryReading
    var quit = false

    init(rows: Int = 24, cols: Int = 80, options: ConsoleOptions = ConsoleOptions(), reader: (any QueryReading)? = nil)
    {
        self.reader = reader ?? SampleQueries(nowMicros: fixedNow)
        state = ConsoleState(rows: rows, cols: cols, nowMicros: fixedNow, options: options)
        run(ConsoleUpdate.start(state))
    }

    mutating func send(_ m: Message) {
        let (next, effects) = ConsoleUpdate.update(state, m)
        state = next
        run(effects)
    }

    mutating func run(_ effects: [Effect]) {
        var queue = effects
        var guardCount = 0
        while !queue.isEmpty, guardCount < 100 {
            guardCount += 1
            let e = queue.removeFirst()
            switch e {
            case .quit: quit = true
            case .load(let r):
                let (next, more) = ConsoleUpdate.update(state, .loaded(r.perform(on: reader)))
                state = next
                queue += more
            }
        }
    }

    mutating func keys(_ ks: Key...) { for k in ks { send(.key(k)) } }

    mutating func type(_ text: String) { for c in text { send(.key(.char(c))) } }

    var screen: Screen { ConsoleView.render(state) }
    var text: String { screen.text }
}

/// Compares a screen with a stored snapshot exactly; on a mismatch, records the actual text under
/// /tmp/meshtop-snapshots/NAME.txt (to review and copy) and reports the first differing line.
func expectSnapshot(
    _ actual: String, _ expected: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    if actual == expected { return }
    let dir = "/tmp/meshtop-snapshots"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try? actual.write(toFile: dir + "/" + name + ".txt", atomically: true, encoding: .utf8)
    let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
    let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let line = (0..<min(a.count, e.count)).first { a[$0] != e[$0] } ?? min(a.count, e.count)
    let got = line < a.count ? String(a[line]) : "<none>"
    let want = line < e.count ? String(e[line]) : "<none>"
    Issue.record(
        "snapshot \(name) differs at line \(line + 1):\n got: \(got)\nwant: \(want)", sourceLocation: sourceLocation)
}
