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
    private let store: MeshtopStore
    private let queue: IngestQueue
    private let config: CollectorConfig
    private let logger: Logger
    private let hooks: AlertHookRunner?
    private let engine: GovernanceFeed?
    private var metrics: SelfMetrics
    private var batch = WriteBatch()
    private var pendingRecords = 0
    private var lastWriteWall: Int64 = 0
    private let pid = Int(getpid())
    /// Shared with `Collector`: rules waiting to be applied, the published totals, and completion.
    private let shared = NSCondition()
    private var pendingRules: RuleSet?
    private var published: [String: Int64] = [:]
    private var finished = false

    init(
        store: MeshtopStore, queue: IngestQueue, config: CollectorConfig, governance: GovernanceFeed?,
        hooks: AlertHookRunner?, logger: Logger
    ) {
        self.store = store
        self.queue = queue
        self.config = config
        self.engine = governance
        self.hooks = hooks
        self.logger = logger
        self.metrics = SelfMetrics(nowMonotonic: MonotonicClock.micros())
    }

    /// Starts the thread. `started_us` and `pid` are written at once so `query stats` sees a live collector.
    func start() {
        batch.gauges["started_us"] = Double(config.wallClock.micros())
        batch.gauges["pid"] = Double(pid)
        commit()
        let thread = Thread { [self] in self.run() }
        thread.name = "meshtop-writer"
        thread.start()
    }

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
        var now = MonotonicClock.micros()
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
            now = MonotonicClock.micros()
            if closed {
                tick(final: true)
                batch.gauges = gauges(now)
                commit()
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
                commit()
                lastWrite = MonotonicClock.micros()
            } else if batch.isEmpty {
                lastWrite = now
            }
            if now >= nextPrune {
                prune()
                nextPrune = MonotonicClock.micros() + config.pruneIntervalMicros
            }
        }
        shared.lock()
        finished = true
        shared.broadcast()
        shared.unlock()
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
        metrics.add("parsed.spans", spans)
        metrics.add("parsed.logs", logs)
        metrics.add("parsed.metrics", samples)
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
            queueDepth: queue.depth, pid: pid)
    }

    /// Runs one governance evaluation and moves its outputs into the batch. `final` also flushes the StatsD
    /// interval in progress (a tick one flush interval ahead, metrics and rollups only), so stopping loses nothing.
    private func tick(final: Bool) {
        guard let engine else { return }
        let now = config.wallClock.micros()
        take(engine.tick(nowMicros: now), alerts: true)
        if final { take(engine.tick(nowMicros: now + config.metricFlushIntervalMicros), alerts: false) }
    }

    private func take(_ out: GovernanceOutput, alerts: Bool) {
        batch.metricRollups += out.metricRollups
        batch.serviceRollups += out.serviceRollups
        batch.edgeRollups += out.edgeRollups
        guard alerts else { return }
        batch.breakerStatuses += out.breakers
        batch.breakerTransitions += out.breakerTransitions
        if let view = out.alerts {
            batch.alertStatuses = view
            batch.replacesAlertView = true
        }
        batch.alertTransitions += out.alertTransitions
        for t in out.alertTransitions where t.to == .firing || t.to == .resolved {
            hooks?.run(transition: t)
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

    /// Commits the batch (with the counter deltas so far). A failed write is logged and its raw records counted
    /// as dropped; the collector keeps running.
    private func commit() {
        let records = batch.rawCount
        if records > 0 || !batch.metricRollups.isEmpty { metrics.add("batches", 1) }
        batch.counterDeltas = metrics.takeDeltas()
        guard !batch.isEmpty else { return }
        let started = MonotonicClock.micros()
        do {
            try store.write(batch)
            lastWriteWall = config.wallClock.micros()
        } catch {
            logger.error("database write failed, \(records) records dropped: \(error)")
            var retry = WriteBatch()
            retry.counterDeltas = batch.counterDeltas
            metrics.add("dropped", Int64(records))
            _ = try? store.write(retry)
        }
        metrics.recordWrite(durationMicros: MonotonicClock.micros() - started)
        batch = WriteBatch()
        pendingRecords = 0
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        shared.lock()
        published = metrics.totals
        published["cpu.writer_us"] = Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1_000
        shared.unlock()
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
