import Testing

@testable import MeshtopBench

/// `meshtop bench ingest` reports CPU per line of the threads the collector now has (reading threads summed).
@Suite struct BenchReportTests {
    @Test func cpuReportNamesWriterReadingAndIndexThreads() {
        let report = IngestBenchmark.cpuReport(
            ["meshtop-writer": 3, "meshtop-udp-0": 1.5, "meshtop-udp-1": 0.5, "meshtop-fts": 4, "other": 9],
            persisted: 1_000_000, received: 1_000_000)
        #expect(
            report
                == "writer 3.0 s = 3.00 µs/line (≤ 333333 lines/s per core); "
                + "reading 2.0 s = 2.00 µs/line (≤ 500000 lines/s per core); "
                + "index 4.0 s = 4.00 µs/line (≤ 250000 lines/s per core)")
    }
}
