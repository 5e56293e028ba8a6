import Foundation
import Logging
import MeshtopStore
import Testing

@testable import MeshtopCollector

/// `LogIndexThread` against an index that only counts: it waits while ingest is busy, but not past
/// `deferUpToRows` and not when the collector stops.
@Suite struct LogIndexThreadTests {
    final class CountingIndex: DeferredLogIndexing, @unchecked Sendable {
        private let lock = NSLock()
        private var tail: Int64 = 0
        private var calls = 0
        func add(_ rows: Int64) { lock.withLock { tail += rows } }
        var blocks: Int { lock.withLock { calls } }
        func indexLogs(maxRows: Int) throws -> Int64 {
            lock.withLock {
                calls += 1
                tail = max(0, tail - Int64(maxRows))
                return tail
            }
        }
        func logIndexTail() throws -> Int64 { lock.withLock { tail } }
        var indexesOnItsOwnConnection: Bool { true }
    }

    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Bool
        init(_ value: Bool) { self.value = value }
        var on: Bool {
            get { lock.withLock { value } }
            set { lock.withLock { value = newValue } }
        }
    }

    func eventually(_ condition: () -> Bool) -> Bool {
        for _ in 0..<3_000 {
            if condition() { return true }
            usleep(10_000)
        }
        return false
    }

    /// A thread that has indexed its first (empty) block and sleeps; then `rows` are committed and poked.
    func started(busy: Flag, rows: Int64) -> (LogIndexThread, CountingIndex) {
        let index = CountingIndex()
        let thread = LogIndexThread(index: index, logger: Logger(label: "test"), busy: { busy.on })
        thread.start()
        #expect(eventually { index.blocks == 1 || thread.backoffs > 0 })
        index.add(rows)
        thread.poke(rows: rows)
        return (thread, index)
    }

    @Test func aBusyIngestDefersIndexingUntilItIsNot() {
        let busy = Flag(true)
        let (thread, index) = started(busy: busy, rows: 30_000)
        let before = index.blocks
        #expect(eventually { thread.backoffs >= 5 })
        #expect(index.blocks == before, "no block while ingest is busy")
        #expect(thread.lag == 30_000)
        busy.on = false
        #expect(eventually { thread.lag == 0 }, "indexed once ingest is no longer busy")
        #expect(index.blocks >= before + 2, "30,000 rows in blocks of 20,000")
        thread.finish()
    }

    @Test func aLagOfDeferUpToRowsIsIndexedEvenWhileBusy() {
        let (thread, index) = started(busy: Flag(true), rows: LogIndexThread.deferUpToRows + 1)
        #expect(eventually { thread.lag < LogIndexThread.deferUpToRows }, "indexing goes on past the bound")
        #expect(index.blocks >= 1)
        #expect(thread.lag > LogIndexThread.deferUpToRows - 2 * Int64(LogIndexThread.blockRows), "then it waits again")
        thread.finish()
    }

    @Test func stoppingIndexesEverythingEvenWhileBusy() {
        let (thread, _) = started(busy: Flag(true), rows: 50_000)
        thread.finish()
        #expect(thread.lag == 0)
    }
}
