import MeshtopConsole
import MeshtopModel
import MeshtopQuery
import Testing

/// The pure update function: navigation, view switching, filtering, sorting, drill-in and back, commands.
@Suite struct UpdateTests {
    @Test func movesAndClampsTheSelection() {
        var h = Harness()
        #expect(h.state.cursor(.services).selected == 0)
        h.keys(.char("k"))
        #expect(h.state.cursor(.services).selected == 0)
        h.keys(.char("j"), .down)
        #expect(h.state.cursor(.services).selected == 2)
        h.keys(.char("G"))
        #expect(h.state.cursor(.services).selected == 7)
        h.keys(.pageDown)
        #expect(h.state.cursor(.services).selected == 7)
        h.keys(.char("g"))
        #expect(h.state.cursor(.services).selected == 0)
    }

    @Test func scrollsLongListsToKeepTheSelectionVisible() {
        var h = Harness()
        h.keys(.char("4"))
        // 40 logs, 20 visible rows at 80x24; following the tail shows the newest at the bottom.
        #expect(h.state.cursor(.logs) == Cursor(selected: 39, top: 20))
        h.keys(.char("g"))
        #expect(h.state.cursor(.logs) == Cursor(selected: 0, top: 0))
        #expect(!h.state.logFollow)
        h.keys(.pageDown, .pageDown)
        #expect(h.state.cursor(.logs) == Cursor(selected: 39, top: 20))
        #expect(h.state.logFollow)
    }

    @Test func switchesViewsWithTabNumbersAndBack() {
        var h = Harness()
        h.keys(.tab)
        #expect(h.state.tab == .topology)
        h.keys(.backTab, .backTab)
        #expect(h.state.tab == .limits)
        h.keys(.tab)
        #expect(h.state.tab == .services)
        h.keys(.char("5"))
        #expect(h.state.tab == .metrics)
        h.keys(.escape)
        #expect(h.state.tab == .services)
    }

    @Test func filtersRowsAndEscClearsTheFilter() {
        var h = Harness()
        h.keys(.char("/"))
        h.type("PAY")
        #expect(h.state.prompt == .filter("PAY"))
        #expect(h.text.split(separator: "\n").last?.hasPrefix("/PAY_") == true)
        h.keys(.enter)
        #expect(h.state.visibleServices.map(\.service) == ["payments"])
        h.keys(.escape)
        #expect(h.state.visibleServices.count == 8)
    }

    @Test func sortsByColumnAndDirection() {
        var h = Harness()
        #expect(h.state.visibleServices.first?.service == "frontend")
        h.keys(.char("s"))
        #expect(h.state.serviceSort == .p50)
        #expect(h.state.visibleServices.first?.service == "🚀launch")
        h.keys(.char("S"))
        #expect(h.state.visibleServices.first?.service == "frontend")
        for _ in 0..<4 { h.keys(.char("s")) }
        #expect(h.state.serviceSort == .name)
        #expect(h.state.visibleServices.map(\.service).first == "auth")
    }

    @Test func enterOnAServiceShowsItsTracesAndEscReturns() {
        var h = Harness()
        h.keys(.char("j"), .char("j"), .enter)
        #expect(h.state.tab == .traces)
        #expect(h.state.traceFilter.service == "payments")
        #expect(!h.state.traces.isEmpty)
        #expect(h.state.traces.allSatisfy { $0.services.contains("payments") })
        #expect(h.text.contains("service=payments"))
        h.keys(.escape)
        #expect(h.state.tab == .services)
    }

    @Test func enterOnATraceOpensTheWaterfallAndEscCloses() {
        var h = Harness()
        h.keys(.char("3"), .char("j"), .enter)
        #expect(h.state.page == .trace)
        #expect(h.state.trace?.detail?.traceID.hex == "4bf92f3577b34da6a3ce929d0e0e4701")
        #expect(h.state.waterfallRows.count == 6)
        h.keys(.escape)
        #expect(h.state.page == .tab(.traces))
        #expect(h.state.cursor(.traces).selected == 1)
    }

    @Test func enterOnALogLineJumpsToItsTrace() {
        var h = Harness()
        h.keys(.char("4"), .char("g"), .enter)
        #expect(h.state.page == .trace)
        let id = h.state.visibleLogs[0].record.traceID?.hex
        #expect(id != nil && h.state.trace?.id == id)
        h.keys(.escape)
        #expect(h.state.tab == .logs)
        h.keys(.char("j"), .enter)
        #expect(h.state.tab == .logs)
        #expect(h.state.notice == "this line has no trace id")
    }

    @Test func enterOnATopologyEdgeSelectsItsBreaker() {
        var h = Harness()
        h.keys(.char("2"))
        let edges = h.state.visibleEdges
        let i = edges.firstIndex { $0.caller == "orders" && $0.callee == "payments" } ?? 0
        for _ in 0..<i { h.keys(.char("j")) }
        h.keys(.enter)
        #expect(h.state.tab == .breakers)
        #expect(h.state.selectedBreaker?.callee == "payments")
        #expect(h.state.breakerHistory.count == 3)
        #expect(h.text.contains("transitions of orders ▶ payments"))
    }

    @Test func commandsSetSearchFiltersAndWindow() {
        var h = Harness()
        h.keys(.char(":"))
        h.type("svc 注文")
        h.keys(.enter)
        #expect(h.state.traceFilter.service == "注文")
        h.keys(.char(":"))
        h.type("min 100ms")
        h.keys(.enter)
        #expect(h.state.traceFilter.minDurationMicros == 100_000)
        #expect(h.state.tab == .traces)
        h.keys(.char(":"))
        h.type("err")
        h.keys(.enter)
        #expect(h.state.traceFilter.errorsOnly)
        #expect(h.state.traces.count == 2)
        h.keys(.char(":"))
        h.type("since 1h")
        h.keys(.enter)
        #expect(h.state.windowMicros == 3_600_000_000)
        #expect(h.state.window.sinceMicros == fixedNow - 3_600_000_000)
        h.keys(.char(":"))
        h.type("bogus")
        h.keys(.enter)
        #expect(h.state.noticeIsError)
        #expect(h.text.contains("unknown command ':bogus'"))
        h.keys(.char(":"))
        h.type("clear")
        h.keys(.enter)
        #expect(h.state.traceFilter == TraceFilter())
    }

    @Test func quitByKeyAndByCommand() {
        var h = Harness()
        h.keys(.char("q"))
        #expect(h.quit && h.state.quitting)
        var c = Harness()
        c.keys(.char(":"), .char("q"), .enter)
        #expect(c.quit)
    }

    @Test func timeWindowCyclesAndPauseStopsRefresh() {
        var h = Harness()
        #expect(h.state.windowMicros == 900_000_000)
        h.keys(.char("t"))
        #expect(h.state.windowMicros == 3_600_000_000)
        h.keys(.char("t"), .char("t"), .char("t"))
        #expect(h.state.windowMicros == 300_000_000)
        h.keys(.char(" "))
        #expect(ConsoleUpdate.update(h.state, .tick(nowMicros: fixedNow + 1)).1.isEmpty)
        #expect(h.text.contains("PAUSED"))
        h.keys(.char(" "))
        #expect(ConsoleUpdate.update(h.state, .tick(nowMicros: fixedNow + 1)).1.contains(.load(.status)))
    }

    @Test func traceSearchRefreshesEveryFifthTickOthersEveryTick() {
        var h = Harness()
        h.keys(.char("3"))
        var searches = 0
        for i in 1...10 {
            let (next, effects) = ConsoleUpdate.update(h.state, .tick(nowMicros: fixedNow + Int64(i)))
            h.state = next
            #expect(effects.contains(.load(.status)))
            searches += effects.filter { if case .load(.traces) = $0 { return true } else { return false } }.count
        }
        #expect(searches == 10 / ConsoleUpdate.traceSearchEvery)
        h.keys(.char("1"))
        let (_, effects) = ConsoleUpdate.update(h.state, .tick(nowMicros: fixedNow + 11))
        #expect(effects.contains { if case .load(.services) = $0 { return true } else { return false } })
    }

    @Test func resizeRedrawsAtTheNewSize() {
        var h = Harness()
        h.keys(.char("4"))
        h.send(.resize(rows: 40, cols: 100))
        let s = h.screen
        #expect(s.rows == 40 && s.cols == 100)
        #expect(h.state.cursor(.logs).top == 4)
        h.send(.resize(rows: 10, cols: 40))
        #expect(h.text.contains("terminal too small"))
    }

    @Test func liveTailAppendsNewLinesAndDropsStaleAnswers() {
        var h = Harness()
        h.keys(.char("4"))
        let rec = LogRecord(timeMicros: fixedNow, service: "orders", severity: .error, message: "new line")
        h.send(.loaded(.logs([LogRow(id: 41, record: rec)], generation: h.state.logGeneration)))
        #expect(h.state.logs.count == 41)
        #expect(h.state.cursor(.logs).selected == 40)
        h.send(.loaded(.logs([LogRow(id: 42, record: rec)], generation: h.state.logGeneration - 1)))
        #expect(h.state.logs.count == 41)
        // The next live-tail request asks only for what is new.
        if case .load(.logs(let search, _)) = ConsoleUpdate.update(h.state, .tick(nowMicros: fixedNow)).1.last {
            #expect(search.afterID == 41)
        } else {
            Issue.record("no logs load on tick")
        }
    }

    @Test func traceAnswersForAnOldSearchAreIgnored() {
        var h = Harness()
        h.keys(.char("3"))
        var old = h.state.traceSearch
        old.errorsOnly = true
        h.send(.loaded(.traces(old, [])))
        #expect(h.state.traces.count == 6)
    }

    @Test func queryFailuresShowInHeaderAndFooter() {
        var h = Harness()
        h.send(.loaded(.failed(.status, "unable to open database file")))
        #expect(h.text.hasPrefix(" meshtop  database: unable to open database file"))
        h.send(.loaded(.failed(.services(h.state.window), "disk I/O error")))
        #expect(h.text.hasSuffix(" services: disk I/O error"))
    }

    @Test func receiverCountsShowInTheHeaderOnceTheyStoredSomething() {
        var h = Harness()
        #expect(!h.text.contains("otlp"), "no receiver traffic, no receiver counts: \(h.text)")
        var status = h.state.status ?? CollectorStatus()
        status.receiverItems = ["otlp_http": 1_200, "otlp_grpc": 300, "zipkin": 45]
        status.receiverRetries = 3
        h.send(.loaded(.status(status, latestEventMicros: nil)))
        #expect(h.text.contains("drop 0  otlp 1.5k"), "\(h.text)")
        h.send(.resize(rows: 30, cols: 160))
        #expect(h.text.contains("otlp 1.5k  zipkin 45  retry 3  db"), "\(h.text)")
    }

    @Test func aWriterThatCannotWriteSaysSoInTheHeader() {
        var h = Harness()
        var status = h.state.status ?? CollectorStatus()
        status.writerStatus = "disk full since 2026-12-01T15:00:00Z, retrying"
        h.send(.loaded(.status(status, latestEventMicros: nil)))
        #expect(h.text.hasPrefix(" meshtop  collector: disk full since 2026-12-01T15:00:00Z"), "\(h.text)")
    }

    @Test func staleCollectorIsFlagged() {
        var h = Harness()
        h.send(.tick(nowMicros: fixedNow + 120_000_000))
        #expect(h.text.contains("collector STALE 2m"))
    }
}

/// A refresh that reorders rows keeps the selected row selected.
@Suite struct RefreshTests {
    @Test func selectionFollowsItsRowAcrossRefreshes() {
        var h = Harness()
        h.keys(.char("j"), .char("j"))
        #expect(h.state.visibleServices[h.state.cursor(.services).selected].service == "payments")
        var rows = h.state.services
        if let i = rows.firstIndex(where: { $0.service == "payments" }) { rows[i].rps = 100 }
        h.send(.loaded(.services(rows)))
        #expect(h.state.visibleServices.first?.service == "payments")
        #expect(h.state.cursor(.services).selected == 0)
        rows.removeAll { $0.service == "payments" }
        h.send(.loaded(.services(rows)))
        #expect(h.state.cursor(.services).selected == 0)
        #expect(h.state.visibleServices.count == 7)
    }
}
