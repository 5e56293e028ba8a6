import Foundation
import MeshtopGovernance
import MeshtopModel

/// The governance engine behind a lock, so the event loop can feed it decoded spans and logs (the per-record work:
/// trace index, rollups, reported breakers) while the writer thread feeds metric samples and runs its ticks and
/// rule reloads. Measured:
/// governance ingest was a third of the writer's CPU per line; on two cores the writer, not the event loop, is
/// the thread that falls behind. Only records the queue accepted are fed, as before.
final class GovernanceFeed: @unchecked Sendable {
    private let lock = NSLock()
    private let engine: GovernanceEngine

    init(engine: GovernanceEngine) {
        self.engine = engine
    }

    /// Feeds the spans and logs of one accepted chunk, in arrival order (on the event loop).
    func ingestSpansAndLogs(_ records: [Decoded]) {
        lock.lock()
        defer { lock.unlock() }
        for record in records {
            switch record {
            case .span(let span): engine.ingest(span: span)
            case .log(let log): engine.ingest(log: log)
            case .metric, .rejected: break
            }
        }
    }

    /// Feeds the metric samples of one chunk (on the writer: StatsD aggregation is cheap there, and on the event
    /// loop it made metrics-only ingest fall behind the sockets).
    func ingestMetrics(_ records: [Decoded], receivedAtMicros: Int64) {
        lock.lock()
        defer { lock.unlock() }
        for record in records {
            if case .metric(let sample) = record { engine.ingest(metric: sample, receivedAtMicros: receivedAtMicros) }
        }
    }

    /// One evaluation (see `GovernanceEngine.tick(nowMicros:live:)`).
    func tick(nowMicros: Int64, live: Bool = false) -> GovernanceOutput {
        lock.withLock { engine.tick(nowMicros: nowMicros, live: live) }
    }

    /// Takes over the shared state a previous governance leader stored (see `GovernanceEngine.seed`).
    func seed(breakers: [BreakerStatus], alerts: [AlertStatus], nowMicros: Int64) {
        lock.withLock { engine.seed(breakers: breakers, alerts: alerts, nowMicros: nowMicros) }
    }

    /// Whether the engine records spans whose parent it does not see (a store other collectors write too).
    func recordUnmatchedChildren(_ on: Bool) {
        lock.withLock { engine.recordsUnmatchedChildren = on }
    }

    /// Replaces the rules.
    func reload(rules: RuleSet) {
        lock.withLock { engine.reload(rules: rules) }
    }
}
