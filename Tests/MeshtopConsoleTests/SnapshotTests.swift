import MeshtopConsole
import MeshtopModel
import MeshtopQuery
import Testing

/// Every view rendered on the fake reader with fixed data and a fixed now, compared with text snapshots
/// (tig's `*.screen` tests), wide characters included.
@Suite struct SnapshotTests {
    @Test func services() {
        let h = Harness()
        expectSnapshot(h.text, Snapshots.services, "services")
    }

    @Test func topologyGraph() {
        var h = Harness(rows: 30, cols: 120)
        h.keys(.char("2"))
        expectSnapshot(h.text, Snapshots.topologyGraph, "topologyGraph")
    }

    @Test func topologyGraphASCII() {
        var h = Harness(rows: 30, cols: 120, options: ConsoleOptions(ascii: true))
        h.keys(.char("2"), .char("j"), .char("j"))
        expectSnapshot(h.text, Snapshots.topologyASCII, "topologyASCII")
    }

    @Test func topologyFallsBackToListWhenNarrow() {
        var h = Harness()
        h.keys(.char("2"))
        expectSnapshot(h.text, Snapshots.topologyList, "topologyList")
    }

    @Test func traces() {
        var h = Harness()
        h.keys(.char("3"))
        expectSnapshot(h.text, Snapshots.traces, "traces")
    }

    @Test func waterfall() {
        var h = Harness()
        h.keys(.char("3"), .enter, .char("j"), .char("j"), .char("j"))
        expectSnapshot(h.text, Snapshots.waterfall, "waterfall")
    }

    @Test func logs() {
        var h = Harness()
        h.keys(.char("4"))
        expectSnapshot(h.text, Snapshots.logs, "logs")
    }

    @Test func metrics() {
        var h = Harness()
        h.keys(.char("5"))
        expectSnapshot(h.text, Snapshots.metrics, "metrics")
    }

    @Test func breakers() {
        var h = Harness()
        h.keys(.char("6"))
        expectSnapshot(h.text, Snapshots.breakers, "breakers")
    }

    @Test func alerts() {
        var h = Harness()
        h.keys(.char("7"))
        expectSnapshot(h.text, Snapshots.alerts, "alerts")
    }

    @Test func help() {
        var h = Harness()
        h.keys(.char("?"))
        expectSnapshot(h.text, Snapshots.help, "help")
    }

    @Test func tooSmall() {
        var h = Harness()
        h.send(.resize(rows: 20, cols: 60))
        expectSnapshot(h.text, Snapshots.tooSmall, "tooSmall")
    }

    @Test func wideScreenShowsAllColumns() {
        var h = Harness(rows: 24, cols: 120)
        h.keys(.char("7"))
        expectSnapshot(h.text, Snapshots.alertsWide, "alertsWide")
    }
}
