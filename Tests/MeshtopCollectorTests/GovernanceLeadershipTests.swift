import Foundation
import MeshtopModel
import MeshtopStore
import Testing

@testable import MeshtopCollector

/// Alert hooks and Alertmanager notifications go out from the governance leader only (docs/scaling.md).
@Suite struct GovernanceLeadershipTests {
    /// A shared store whose leadership the test sets, as PostgreSQL's leader lock would.
    final class SharedStore: StoreWriter, GovernanceLeadership, @unchecked Sendable {
        let lock = NSLock()
        var leading = false
        var leadsGovernance: Bool { lock.withLock { leading } }
        var location: String { "shared" }
        func write(_ batch: WriteBatch) throws {}
        struct NotPruned: Error {}
        func prune(rawOlderThan: Int64, rollupsOlderThan: Int64, maxBytes: Int64?) throws -> PruneResult {
            throw NotPruned()
        }
        func checkpoint() {}
        func setWriterStatus(_ status: String) {}
        /// The shared history ends in `firing` for every alert.
        func isNews(_ transition: AlertTransition) -> Bool { transition.to != .firing }
    }

    func transition(_ to: AlertState) -> AlertTransition {
        AlertTransition(
            rule: "db-errors", severity: "critical", labels: [], from: .inactive, to: to, atMicros: 1, value: 1,
            summary: "")
    }

    @Test func theHookRunsForNewsOnly() {
        let store = SharedStore()
        #expect(!IngestWriter.runsHook(for: transition(.firing), store))
        #expect(IngestWriter.runsHook(for: transition(.resolved), store))
        #expect(!IngestWriter.runsHook(for: transition(.pending), store))
    }

    @Test func aFollowerStaysSilentAndALeaderAnnounces() {
        let store = SharedStore()
        #expect(!IngestWriter.announcesAlerts(store))
        store.lock.withLock { store.leading = true }
        #expect(IngestWriter.announcesAlerts(store))
        store.lock.withLock { store.leading = false }
        #expect(!IngestWriter.announcesAlerts(store))
    }

    @Test func aStoreOfOneCollectorAlwaysAnnounces() throws {
        // A directory of its own: the store also leaves `.lock` and the full-text index's `-fts` files beside it.
        let dir = NSTemporaryDirectory() + "meshtop-leadership-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(IngestWriter.announcesAlerts(try MeshtopStore.open(path: dir + "/store.db")))
    }
}
