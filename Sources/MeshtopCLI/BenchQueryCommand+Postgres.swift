import MeshtopBench
import MeshtopPostgres

extension BenchQueryCommand {
    /// `--db postgresql://…`: the PostgreSQL store as `meshtop bench query` fills and reads it (nil for a file).
    static func postgres(_ text: String) throws -> QueryBenchmark.SharedDatabase? {
        guard case .postgres(let url) = try StoreOpening.target(text) else { return nil }
        return QueryBenchmark.SharedDatabase(
            location: url.description,
            openWriter: { try PostgresStore.open(url: url, collectorID: "bench-query", leaderElection: false) },
            openReader: { try PostgresStore.openReadOnly(url: url, readTimeout: nil) },
            analyze: { try PostgresAdmin.analyze(url) })
    }
}
