import Testing

@testable import MeshtopStore

/// SQLite's memory statistics are turned off before its first use (a global mutex on every SQLite allocation,
/// which the collector's writer and index thread contended for). Checked in a fresh process, where the store is
/// the first to touch SQLite, as in `meshtop collect`.
@Suite struct SQLiteTuningTests {
    @Test func firstStoreOpenedTurnsMemoryStatisticsOff() async {
        await #expect(processExitsWith: .success) {
            let store = try? MeshtopStore.inMemory()
            // SQLITE_OK: applied before initialization (21, SQLITE_MISUSE, would mean SQLite was already in use).
            guard store != nil, MeshtopStore.sqliteTuned == 0 else { fatalError("not applied") }
        }
    }
}
