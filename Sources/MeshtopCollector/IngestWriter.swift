import Foundation
import Logging
import MeshtopGovernance
import MeshtopModel
import MeshtopStore

/// The one writer thread: drains the queue (the event loop has already fed governance) and commits one
/// `WriteBatch` per batch window (≤ 250 ms by default, or earlier once `batchMaxRecords` are pending). Runs
/// governance ticks (through `GovernanceFeed`'s lock), persists self-metrics and prunes, all on this thread, so
/// the store has a single writer.
final class IngestWriter: @unchecked Sendable {
    private let store: any StoreWriter
    private let queue: IngestQueue
    private let config: CollectorConfig
    private let logger: Logger
    private let hooks: AlertHookRunner?
    private let engine: GovernanceFeed?
    private var metrics: SelfMetrics
    private var batch = WriteBatch()
    private var pendingRecords = 0
    /// The store's deferred log index (nil: the store indexes log messages as it writes them), and how many
    /// log rows wait for it (docs/storage.md, "Full-text search").
    private let logIndexer: (any DeferredLogIndexing)?
    private var unindexedLogs: Int64 = 0
    /// Builds the index beside this thread instead (a store whose index has its own file and connection).
    private let indexThread: LogIndexThread?
    /// The store's governance leadership (nil: a store of one collector, which always leads), and the leadership
    /// term the engine was seeded for (nil while not leading).
    private let leadership: (any GovernanceLeadership)?
    private var seededTerm: Int?
    /// The store's join of calls whose two spans reached different collectors (nil: one collector per store),
    /// run by the governance leader every `edgeJoinIntervalMicros` (docs/scaling.md, "Edges across collectors").
    private let edgeJoiner: (any CrossCollectorEdges)?
    private var nextEdgeJoin: Int64 = 0
    /// `/metrics` state fed with every governance output (set before `start()`), and the Alertmanager sender.
    var exporter: PrometheusExporter?
    var alertmanager: AlertmanagerNotifier?
    /// `parsed.*` counts of the records in `batch`, committed with them (so `parsed` never counts a lost record).
    private var pendingParsed: [String: Int64] = [:]
    /// When the current run of failed commits began (monotonic µs), nil while writes succeed.
    private var failingSince: Int64?
    private var lastWriteWall: Int64 = 0
    private let pid = Int(getpid())
    /// Shared with `Collector`: rules waiting to be applied, the published totals, and completion.
    private let shared = NSCondition()
    private var pendingRules: RuleSet?
    private var published: [String: Int64] = [:]
    private var finished = false

    init(
        store: any StoreWriter, queue: IngestQueue, config: CollectorConfig, governance: GovernanceFeed?,
        hooks: AlertHookRunner?, logger: Logger
    ) {
        self.store = store
        let indexer = store as? any DeferredLogIndexing
        if let indexer, indexer.indexesOnItsOwnConnection {
            self.indexThread = LogIndexThread(
                index: indexer, logger: logger,
                busy: { [queue] in queue.pausedReaders > 0 || queue.depth >= queue.capacity * 2 / 5 })
            self.logIndexer = nil
        } else {
            self.indexThread = nil
            self.logIndexer = indexer
        }
        self.leadership = store as? any GovernanceLeadership
        self.edgeJoiner = store as? any CrossCollectorEdges
        self.queue = queue
        self.config = config
        self.engine = governance
        self.hooks = hooks
        self.logger = logger
        self.metrics = SelfMetrics(nowMonotonic: SystemClock.monotonicMicros())
    }

    /// Starts the thread. `started_us` and `pid` are written at once so `query stats` sees a live collector.
    func start() {
        batch.gauges["started_us"] = Double(config.wallClock.micros())
        batch.gauges["pid"] = Double(pid)
        // Rows a previous collector left unindexed (it was killed) are indexed like new ones.
        unindexedLogs = (try? logIndexer?.logIndexTail()) ?? 0
        commit()
        indexThread?.start()
        let thread = Thread { [self] in self.run() }
        thread.name = "meshtop-writer"
        thread.start()
    }

    /// Log rows committed but not yet indexed by the index thread (0 when the writer indexes between batches).
    var logIndexLag: Int64 { indexThread?.lag ?? 0 }

    /// Hands new rules to the writer thread; applied before the next batch.
    func replaceRules(_ rules: RuleSet) {
        shared.lock()
        pendingRules = rules
        shared.unlock()
    }

    /// Counter totals since this collector started, as of the last commit.
    var totals: [String: Int64] {
        shared.lock()
        defer { shared.unlock() }
        return published
    }

    /// Blocks until the writer has drained the closed queue and committed its final batch.
    func waitUntilFinished() {
        shared.lock()
        while !finished { shared.wait() }
        shared.unlock()
    }

    private func run() {
        Thread.current.name = "meshtop-writer"
        let window = config.batchWindowMicros
        var now = SystemClock.monotonicMicros()
        var lastWrite = now
        var nextTick = now + config.evaluationIntervalMicros
        var nextSelf = now + config.selfMetricsIntervalMicros
        var nextPrune = now + min(config.pruneIntervalMicros, 10_000_000)
        while true {
            let deadline = min(lastWrite + window, nextTick, nextSelf, nextPrune)
            let (chunks, closed) = queue.take(
                minimum: config.batchMaxRecords, maximum: config.batchMaxRecords, deadline: deadline)
            for chunk in chunks { absorb(chunk) }
            metrics.add(queue: queue.drainCounts())
            applyPendingRules()
            now = SystemClock.monotonicMicros()
            if closed {
                tick(final: true)
                batch.gauges = gauges(now)
                if !commit() { giveUp() }
                // Stopping leaves every row indexed (and no mark): any meshtop can open and write the file.
                indexDeferredLogs(until: .max, finishing: true)
                break
            }
            if now >= nextTick {
                tick(final: false)
                nextTick = now + config.evaluationIntervalMicros
            }
            let selfDue = now >= nextSelf
            if selfDue {
                batch.gauges = gauges(now)
                nextSelf = now + config.selfMetricsIntervalMicros
            }
            if selfDue || (now - lastWrite >= window && !batch.isEmpty) || pendingRecords >= config.batchMaxRecords {
                if !commit() && !retryUntilWritten() {
                    giveUp()
                    break
                }
                lastWrite = SystemClock.monotonicMicros()
                releaseMemoryAfterBurst()
            } else if batch.isEmpty {
                lastWrite = now
            }
            indexDeferredLogs(until: min(lastWrite + window, nextTick, nextSelf, nextPrune), finishing: false)
            if now >= nextPrune {
                prune()
                nextPrune = SystemClock.monotonicMicros() + config.pruneIntervalMicros
            }
        }
        // Stopping leaves every committed row indexed, and says so.
        if let indexThread {
            indexThread.finish()
            _ = try? store.write(WriteBatch(gauges: ["log_index_lag": Double(indexThread.lag)]))
        }
        shared.lock()
        finished = true
        shared.broadcast()
        shared.unlock()
    }

    /// Log rows indexed per transaction while the writer would otherwise wait for lines.
    static let idleIndexRows: Int64 = 10_000
    /// At most this many log rows wait unindexed: a text search scans them (SPEC §7: newest 100 matches of a
    /// grep < 50 ms; a rare word costs ~0.5 µs of CPU per tail row, docs/benchmarks.md), so past it a larger
    /// block is indexed whatever the queue holds.
    static let maxUnindexedLogs: Int64 = 50_000

    /// Builds the full-text index of committed log rows off the ingest path: in blocks while fewer lines are
    /// queued than one batch (until `deadline`, the writer's next duty), at once down to half the bound when the
    /// tail passed `maxUnindexedLogs`, and all of it when `finishing`.
    private func indexDeferredLogs(until deadline: Int64, finishing: Bool) {
        guard let logIndexer, unindexedLogs > 0 else { return }
        do {
            if finishing {
                unindexedLogs = try logIndexer.indexLogs(maxRows: .max)
                return
            }
            if unindexedLogs > Self.maxUnindexedLogs {
                unindexedLogs = try logIndexer.indexLogs(maxRows: Int(unindexedLogs - Self.maxUnindexedLogs / 2))
            }
            while unindexedLogs > 0, queue.depth < config.batchMaxRecords, SystemClock.monotonicMicros() < deadline {
                unindexedLogs = try logIndexer.indexLogs(maxRows: Int(Self.idleIndexRows))
            }
        } catch {
            // Searches still find the rows (they scan the tail); the next call retries.
            logger.warning("log full-text indexing failed: \(error)")
        }
    }

    private func absorb(_ chunk: IngestChunk) {
        var spans: Int64 = 0
        var logs: Int64 = 0
        var samples: Int64 = 0
        for record in chunk.records {
            switch record {
            case .span(let span):
                batch.spans.append(span)
                spans += 1
            case .log(let log):
                batch.logs.append(log)
                logs += 1
            case .metric:
                samples += 1
            case .rejected(let reason, let sample):
                metrics.add("rejected." + reason.rawValue, 1)
                keep(RejectedLine(atMicros: chunk.receivedAtMicros, reason: reason, source: "udp", sample: sample))
            }
        }
        batch.spanAttributesJSON.append(contentsOf: chunk.spanAttributes)
        batch.spanEventsJSON.append(contentsOf: chunk.spanEvents)
        batch.logAttributesJSON.append(contentsOf: chunk.logAttributes)
        for reject in chunk.rejects {
            metrics.add("rejected." + reject.reason.rawValue, 1)
            keep(reject)
        }
        if samples > 0 { engine?.ingestMetrics(chunk.records, receivedAtMicros: chunk.receivedAtMicros) }
        // `parsed` counts what is stored: these travel in the batch and are committed in its transaction.
        pendingParsed["parsed.spans", default: 0] += spans
        pendingParsed["parsed.logs", default: 0] += logs
        pendingParsed["parsed.metrics", default: 0] += samples
        pendingRecords += Int(spans + logs)
    }

    private func keep(_ reject: RejectedLine) {
        if batch.rejects.count >= MeshtopStore.rejectsKept { batch.rejects.removeFirst() }
        batch.rejects.append(
            RejectRecord(
                atMicros: reject.atMicros, reason: reject.reason, source: reject.source,
                sample: Sanitizer.escape(bytes: reject.sample)))
    }

    private func gauges(_ nowMonotonic: Int64) -> [String: Double] {
        metrics.gauges(
            nowMonotonic: nowMonotonic, nowWall: config.wallClock.micros(), lastWriteWall: lastWriteWall,
            queueDepth: queue.depth, logIndexLag: indexThread?.lag ?? unindexedLogs, pid: pid)
    }

    /// Runs one governance evaluation and moves its outputs into the batch. `final` also flushes the StatsD
    /// interval in progress (a tick one flush interval ahead, metrics and rollups only), so stopping loses nothing.
    /// Ticks are live: the wall clock moves the breakers' feed when traffic stops (burst, then quiet).
    private func tick(final: Bool) {
        guard let engine else { return }
        let now = config.wallClock.micros()
        let leads = takeOverIfNewLeader(engine, nowMicros: now)
        // Unmatched children are recorded while other collectors write the store (asked each evaluation; a store
        // that cannot answer now keeps the last answer). A child is judged when its parent wait ends, so one that
        // arrived just before another collector started is still recorded.
        if let edgeJoiner, let others = try? edgeJoiner.othersWrite() { engine.recordUnmatchedChildren(others) }
        take(engine.tick(nowMicros: now, live: true), alerts: true, leads: leads)
        if leads { joinEdgesIfDue(nowMicros: now) }
        if final { take(engine.tick(nowMicros: now + config.metricFlushIntervalMicros), alerts: false, leads: false) }
    }

    /// Whether this collector leads governance for this evaluation. A collector that has just taken the lead (or
    /// holds it at start) first seeds its engine from the breakers and alerts the previous leader stored, so open
    /// breakers and alert timers go on from the old leader's times (docs/scaling.md); seeding reports nothing, so
    /// no hook runs for it. When the shared state cannot be read, it is tried again at the next evaluation and
    /// this one announces nothing.
    private func takeOverIfNewLeader(_ engine: GovernanceFeed, nowMicros: Int64) -> Bool {
        guard let leadership else { return true }
        guard leadership.leadsGovernance else {
            seededTerm = nil
            return false
        }
        let term = leadership.leadershipTerm
        if seededTerm == term { return true }
        do {
            if let state = try leadership.sharedGovernanceState() {
                engine.seed(breakers: state.breakers, alerts: state.alerts, nowMicros: nowMicros)
                logger.info("governance lead: took over \(state.breakers.count) breakers, \(state.alerts.count) alerts")
            }
            seededTerm = term
            return true
        } catch {
            logger.warning("governance lead taken, but the shared breaker and alert state is unreadable: \(error)")
            return false
        }
    }

    /// How often the leader joins calls across collectors, how far behind the wall clock (a child is stored as
    /// unmatched when its parent wait ends, with the next evaluation's batch), and how much before the previous
    /// join's end it joins again (children a lagging collector stored late).
    static let edgeJoinIntervalMicros: Int64 = 30_000_000
    static let edgeJoinLookbackMicros: Int64 = 120_000_000
    var edgeJoinDelayMicros: Int64 {
        GovernanceConfig.default.parentWaitMicros + 2 * config.evaluationIntervalMicros + 30_000_000
    }

    /// The leader's join of calls whose two spans reached different collectors (`CrossCollectorEdges`).
    private func joinEdgesIfDue(nowMicros now: Int64) {
        guard let edgeJoiner, now >= nextEdgeJoin else { return }
        nextEdgeJoin = now + Self.edgeJoinIntervalMicros
        do {
            if let calls = try edgeJoiner.joinEdges(
                throughMicros: now - edgeJoinDelayMicros, lookbackMicros: Self.edgeJoinLookbackMicros,
                rollups: JoinedEdges.rollups)
            {
                logger.debug("joined \(calls) calls across collectors")
            }
        } catch {
            // The store reports the previous join's failure (the join runs off this thread); the next is due in 30 s.
            logger.warning("joining calls across collectors failed (tried again within 30 s): \(error)")
        }
    }

    private func take(_ out: GovernanceOutput, alerts: Bool, leads: Bool) {
        exporter?.observe(out)
        // With several collectors on one database only the governance leader announces (GovernanceLeadership),
        // asked again now: a lead lost since the evaluation began announces nothing more.
        let announce = alerts && leads && Self.announcesAlerts(leadership: leadership)
        if announce, let view = out.alerts {
            alertmanager?.evaluated(view: view, transitions: out.alertTransitions, nowMicros: config.wallClock.micros())
        }
        batch.metricRollups += out.metricRollups
        batch.serviceRollups += out.serviceRollups
        batch.edgeRollups += out.edgeRollups
        if let thresholds = out.healthThresholds { batch.governanceExtras.healthThresholds = thresholds }
        batch.governanceExtras.limitStats += out.limitStats
        batch.governanceExtras.concurrency += out.serviceConcurrency
        batch.governanceExtras.unmatchedChildren += out.unmatchedChildren
        // Breaker and alert rows only from the (seeded) leader: a follower's would be refused by the store, or,
        // committed just after this collector took the lead, replace the state it is about to take over.
        guard alerts, leads else { return }
        batch.breakerStatuses += out.breakers
        batch.breakerTransitions += out.breakerTransitions
        if let view = out.alerts {
            batch.alertStatuses = view
            batch.replacesAlertView = true
        }
        batch.alertTransitions += out.alertTransitions
        if announce, let hooks {
            for t in out.alertTransitions where Self.runsHook(for: t, leadership: leadership) {
                // Each hook asks again: the election drops the lead as soon as the server ends its session.
                guard Self.announcesAlerts(leadership: leadership) else { break }
                hooks.run(transition: t)
            }
        }
    }

    private func applyPendingRules() {
        shared.lock()
        let rules = pendingRules
        pendingRules = nil
        shared.unlock()
        guard let rules, let engine else { return }
        engine.reload(rules: rules)
        logger.info("rules reloaded")
    }

    /// Commits the batch with the counter deltas so far, in one transaction: rows and the counters that describe
    /// them are stored together or not at all. On failure (disk full, I/O error) the batch and the deltas are kept
    /// for a retry and false is returned; the queue goes on absorbing new lines meanwhile, dropping (and counting)
    /// what does not fit.
    @discardableResult
    private func commit() -> Bool {
        let records = batch.rawCount
        var written = pendingParsed
        if records > 0 || !batch.metricRollups.isEmpty { written["batches", default: 0] += 1 }
        let deltas = metrics.takeDeltas()
        batch.counterDeltas = deltas.merging(written, uniquingKeysWith: +)
        guard !batch.isEmpty else { return true }
        let started = SystemClock.monotonicMicros()
        batch.defersLogIndexing = logIndexer != nil || indexThread != nil
        let logs = Int64(batch.logs.count)
        do {
            try store.write(batch)
            unindexedLogs += logIndexer == nil ? 0 : logs
            if logs > 0 { indexThread?.poke(rows: logs) }
            lastWriteWall = config.wallClock.micros()
        } catch {
            metrics.restore(deltas)
            if failingSince == nil {
                failingSince = SystemClock.monotonicMicros()
                let what = Self.describe(error)
                logger.error("database write failed, \(records) records kept for a retry: \(what)")
                let since = RFC3339.format(micros: config.wallClock.micros())
                store.setWriterStatus(
                    (what.hasPrefix("disk full")
                        ? "disk full" : what.hasPrefix("store unavailable") ? "store unavailable" : "writes failing")
                        + " since \(since), retrying")
            }
            return false
        }
        if let since = failingSince {
            logger.warning("database writes work again after \(Double(SystemClock.monotonicMicros() - since) / 1e6)s")
            failingSince = nil
            store.setWriterStatus("")
        }
        metrics.committed(written)
        pendingParsed.removeAll(keepingCapacity: true)
        metrics.recordWrite(durationMicros: SystemClock.monotonicMicros() - started)
        batch = WriteBatch()
        pendingRecords = 0
        publish()
        return true
    }

    /// Retries the failed batch with backoff (100 ms doubling to 5 s), pruning the oldest raw data first when
    /// `--max-db-size` is set. New lines wait in the bounded queue. Returns false when the collector stops while
    /// writes still fail.
    private func retryUntilWritten() -> Bool {
        var backoff: Int64 = 100_000
        while true {
            metrics.add("write_retries", 1)
            publish()
            if queue.waitUntilClosed(deadline: SystemClock.monotonicMicros() + backoff) {
                metrics.add(queue: queue.drainCounts())
                return commit()
            }
            metrics.add(queue: queue.drainCounts())
            if config.maxDatabaseBytes != nil { prune() }
            if commit() { return true }
            backoff = min(backoff * 2, 5_000_000)
        }
    }

    /// The collector stops while writes fail: the batch's records are counted as dropped (not parsed), and the
    /// counters are written if the database takes them.
    private func giveUp() {
        let records = batch.rawCount
        logger.error("database still failing at stop, \(records) records dropped")
        pendingParsed.removeAll()
        var counters = WriteBatch()
        metrics.add("dropped", Int64(records))
        counters.counterDeltas = metrics.takeDeltas()
        batch = WriteBatch()
        _ = try? store.write(counters)
        publish()
    }

    /// "disk full" for SQLITE_FULL, else the error as SQLite tells it.
    static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        return text.contains("SQLITE_FULL") || text.contains("database or disk is full") ? "disk full (\(text))" : text
    }

    private func publish() {
        let cpu = SystemClock.threadCPUMicros()
        shared.lock()
        published = metrics.totals
        published["write_p99_us"] = metrics.writeP99Micros
        published["cpu.writer_us"] = cpu
        if let since = failingSince { published["write_failing_us"] = SystemClock.monotonicMicros() - since }
        shared.unlock()
    }

    /// Once a burst that queued at least 8 MiB has been written and the queue is empty, the freed heap goes back
    /// to the kernel (SPEC §7: memory comes back after a flood).
    private func releaseMemoryAfterBurst() {
        guard queue.depth == 0, queue.takePeakBytes() >= 8 << 20 else { return }
        MemoryTrim.release()
    }

    private func prune() {
        let now = config.wallClock.micros()
        do {
            _ = try store.prune(
                rawOlderThan: now - config.retainRawMicros, rollupsOlderThan: now - config.retainRollupsMicros,
                maxBytes: config.maxDatabaseBytes)
        } catch {
            logger.warning("retention pruning failed: \(error)")
        }
    }
}
