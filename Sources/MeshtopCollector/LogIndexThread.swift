import Foundation
import Logging
import MeshtopStore

/// Builds the log full-text index on a thread of its own, beside the writer, when the store's index takes no
/// lock the writer needs (`DeferredLogIndexing.indexesOnItsOwnConnection`: the index in its own file). The
/// writer pokes it after each commit; it indexes the committed rows in blocks until none wait, then sleeps.
/// Searches scan the rows not yet indexed, so results never depend on how far behind it is (docs/storage.md,
/// "Full-text search"). While ingest is behind (`busy`) it waits, up to `deferUpToRows` rows behind, so that in a
/// burst the cores go to the readers and the writer, which lose lines when they fall behind, and the index catches
/// up after it.
final class LogIndexThread: @unchecked Sendable {
    private let index: any DeferredLogIndexing
    private let logger: Logger
    private let condition = NSCondition()
    private var poked = false
    private var stopping = false
    private var done = false
    private var waiting: Int64 = 0

    /// Rows per index transaction: large enough that FTS5 writes few, large segments, small enough that the
    /// pruner's `forget` (same connection) never waits long.
    static let blockRows = 20_000

    /// True while ingest is behind (a listener paused, or the queue to the writer well above one batch): the
    /// index then waits, leaving the cores to the readers and the writer, unless `deferUpToRows` rows wait.
    private let busy: @Sendable () -> Bool
    private var backoffCount = 0
    /// Times the thread waited `backoffSeconds` because ingest was busy.
    var backoffs: Int {
        condition.lock()
        defer { condition.unlock() }
        return backoffCount
    }

    init(index: any DeferredLogIndexing, logger: Logger, busy: @escaping @Sendable () -> Bool = { false }) {
        self.index = index
        self.logger = logger
        self.busy = busy
    }

    func start() {
        let thread = Thread { [self] in self.run() }
        thread.name = "meshtop-fts"
        thread.start()
    }

    /// `rows` new log rows were committed.
    func poke(rows: Int64) {
        condition.lock()
        waiting += rows
        poked = true
        condition.signal()
        condition.unlock()
    }

    /// Log rows committed and not yet indexed, as of the last block indexed and the commits since (the
    /// `log_index_lag` gauge).
    var lag: Int64 {
        condition.lock()
        defer { condition.unlock() }
        return waiting
    }

    /// Indexes every row committed so far, then ends the thread; returns when it has.
    func finish() {
        condition.lock()
        stopping = true
        condition.signal()
        while !done { condition.wait() }
        condition.unlock()
    }

    /// The index waits for a busy ingest only while fewer rows than this are not yet indexed (10 s at 200,000
    /// lines/s): searches scan those rows, so the lag stays bounded, and a load that stays above what the cores
    /// can index is indexed all the same, at the expense of lines, rather than falling ever further behind.
    static let deferUpToRows: Int64 = 2_000_000
    static let backoffSeconds = 0.02

    /// The thread's nice value: when the cores are busy (a burst), the UDP reading threads and the writer, which must
    /// keep up or lose lines, get most of them; the index catches up when the burst ends.
    static let niceness: Int32 = 10

    private func run() {
        Thread.current.name = "meshtop-fts"
        // Linux: the nice value is per thread, and PRIO_PROCESS with 0 means the calling thread.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.niceness)
        var failing = false
        while true {
            let busy = busy()
            condition.lock()
            let deferring = busy && !stopping && self.waiting < Self.deferUpToRows
            if deferring {
                backoffCount += 1
                _ = condition.wait(until: Date(timeIntervalSinceNow: Self.backoffSeconds))
            }
            condition.unlock()
            if deferring { continue }
            var waiting: Int64 = 0
            do {
                waiting = try index.indexLogs(maxRows: Self.blockRows)
                condition.lock()
                self.waiting = waiting
                condition.unlock()
                if failing { logger.info("log full-text indexing works again") }
                failing = false
            } catch {
                // Searches still find the rows (they scan the tail); retried at the next poke or in a second.
                if !failing { logger.warning("log full-text indexing failed: \(error)") }
                failing = true
            }
            condition.lock()
            if stopping && (waiting == 0 || failing) {
                done = true
                condition.broadcast()
                condition.unlock()
                return
            }
            if waiting == 0 || failing {
                let until = Date(timeIntervalSinceNow: 1)
                while !poked && !stopping && condition.wait(until: until) {}
                poked = false
            }
            condition.unlock()
        }
    }
}
