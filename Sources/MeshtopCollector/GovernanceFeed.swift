import Foundation
import MeshtopGovernance
import MeshtopModel

/// The governance engine behind a lock, so the event loop can feed it decoded records (the per-record work:
/// trace index, rollups, reported breakers) while the writer thread runs its ticks and rule reloads. Measured:
/// governance ingest was a third of the writer's CPU per line; on two cores the writer, not the event loop, is
/// the thread that falls behind. Only records the queue accepted are fed, as before.
final class GovernanceFeed: @unchecked Sendable {
    private let lock = NSLock()
    private let engine: GovernanceEngine

    init(engine: GovernanceEngine) {
        self.engine = engine
    }

    /// Feeds spans, logs and metric samples of one accepted chunk, in arrival order.
    func ingest(_ records: [Decoded], receivedAtMicros: Int64) {
        lock.lock()
        defer { lock.unlock() }
        for record in records {
            switch record {
            case .span(let span): engine.ingest(span: span)
            case .log(let log): engine.ingest(log: log)
            case .metric(let sample): engine.ingest(metric: sample, receivedAtMicros: receivedAtMicros)
            case .rejected: break
            }
        }
    }

    /// One evaluation (see `GovernanceEngine.tick(nowMicros:)`).
    func tick(nowMicros: Int64) -> GovernanceOutput {
        lock.withLock { engine.tick(nowMicros: nowMicros) }
    }

    /// Replaces the rules.
    func reload(rules: RuleSet) {
        lock.withLock { engine.reload(rules: rules) }
    }
}
