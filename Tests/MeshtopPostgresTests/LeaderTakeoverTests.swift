import Foundation
import MeshtopModel
import MeshtopPostgres
import MeshtopStore
import Testing

/// A new leader's engine has seen only its own traffic, so its first transitions may repeat what the old leader
/// recorded: history keeps only real changes, each from the state the history ended in (docs/scaling.md).
@Suite(.serialized) struct LeaderTakeoverTests {
    let now = SystemClock.wallMicros()

    func breaker(_ from: BreakerState, _ to: BreakerState, at: Int64) -> BreakerTransition {
        BreakerTransition(
            caller: "api", callee: "db", atMicros: at, from: from, to: to, failureRate: 60, slowCallRate: nil,
            calls: 10, failedCalls: 6, slowCalls: 0)
    }

    func alert(_ from: AlertState, _ to: AlertState, at: Int64) -> AlertTransition {
        AlertTransition(
            rule: "db-errors", severity: "critical", labels: [Attribute("service", .string("db"))], from: from,
            to: to, atMicros: at, value: 0.3, summary: "db failing")
    }

    @Test func aNewLeaderRecordsNoRepeatOfTheOldLeadersStates() throws {
        try TestServer.withDatabase { url in
            let a = try PostgresStore.open(url: url, collectorID: "a", retrySeconds: 0.2)
            let b = try PostgresStore.open(url: url, collectorID: "b", retrySeconds: 0.2)
            let (old, new) = a.isLeader ? (a, b) : (b, a)
            defer { new.close() }
            #expect(old.isLeader && !new.isLeader)
            try old.write(
                WriteBatch(
                    breakerTransitions: [breaker(.closed, .open, at: now - 9_000_000)],
                    alertTransitions: [
                        alert(.inactive, .pending, at: now - 9_000_000), alert(.pending, .firing, at: now - 8_000_000),
                    ]))
            // The old leader's process dies: the server ends its session, and it competes no more.
            try PostgresAdmin.terminateLeader(url)
            old.close()
            let deadline = Date().addingTimeInterval(10)
            while !new.isLeader && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
            #expect(new.isLeader)
            // Its hook does not run again for the firing the old leader announced; it does for a resolve.
            #expect(!new.isNews(alert(.pending, .firing, at: now - 2_000_000)))
            #expect(new.isNews(alert(.firing, .resolved, at: now - 1_000_000)))
            #expect(new.isNews(alert(.inactive, .firing, at: now).withRule("another-rule")))
            // The new leader's engine, fed from scratch, opens the breaker and fires the alert again, then both
            // really change: the breaker half-opens, the alert resolves.
            try new.write(
                WriteBatch(
                    breakerTransitions: [breaker(.closed, .open, at: now - 3_000_000)],
                    alertTransitions: [
                        alert(.inactive, .pending, at: now - 3_000_000), alert(.pending, .firing, at: now - 2_000_000),
                    ]))
            try new.write(
                WriteBatch(
                    breakerTransitions: [breaker(.open, .halfOpen, at: now - 1_000_000)],
                    alertTransitions: [alert(.firing, .resolved, at: now - 1_000_000)]))
            let reader = try PostgresStore.openReadOnly(url: url)
            defer { reader.close() }
            let window = TimeWindow(sinceMicros: now - 60_000_000, untilMicros: now + 1)
            let breakers = try reader.breakerTransitions(in: window, limit: 100).sorted { $0.atMicros < $1.atMicros }
            #expect(breakers.map { "\($0.from.rawValue)>\($0.to.rawValue)" } == ["closed>open", "open>half_open"])
            let alerts = try reader.alertTransitions(in: window, limit: 100).sorted { $0.atMicros < $1.atMicros }
            #expect(
                alerts.map { "\($0.from.rawValue)>\($0.to.rawValue)" }
                    == ["inactive>pending", "pending>firing", "firing>resolved"])
            // A transition from a state the history does not end in is recorded from the state it does end in.
            try new.write(WriteBatch(breakerTransitions: [breaker(.closed, .open, at: now)]))
            let last = try reader.breakerTransitions(in: window, limit: 100).max { $0.atMicros < $1.atMicros }
            #expect(last?.from == .halfOpen && last?.to == .open)
        }
    }

    /// What a new leader seeds its engine from (the collector's `IngestWriter` at its first evaluation as leader,
    /// docs/scaling.md): the breakers and alert view the old leader stored, read through the new leader's own
    /// store (`breakers()`, `alerts(state: nil, resolvedSince: 0)`), with their since times.
    @Test func aNewLeaderReadsTheStateTheOldLeaderLeft() throws {
        try TestServer.withDatabase { url in
            let a = try PostgresStore.open(url: url, collectorID: "a", retrySeconds: 0.2)
            let b = try PostgresStore.open(url: url, collectorID: "b", retrySeconds: 0.2)
            let (old, new) = a.isLeader ? (a, b) : (b, a)
            defer { new.close() }
            let open = BreakerStatus(
                caller: "api", callee: "db", source: .simulated, state: .open, failureRate: nil, slowCallRate: nil,
                callsInWindow: 0, wouldReject: 4, sinceMicros: now - 9_000_000, lastCallMicros: now - 1_000_000,
                transitions: 1)
            let pending = AlertStatus(
                rule: "db-errors", severity: "critical", labels: [Attribute("service", .string("db"))],
                state: .pending, value: 0.3, sinceMicros: now - 8_000_000, summary: "db failing")
            var firing = pending
            firing.rule = "db-slow"
            firing.state = .firing
            firing.firedAtMicros = now - 2_000_000
            var batch = WriteBatch(breakerStatuses: [open], alertStatuses: [firing, pending])
            batch.replacesAlertView = true
            try old.write(batch)
            // The old leader's process dies: the server ends its session, and it competes no more.
            try PostgresAdmin.terminateLeader(url)
            old.close()
            let deadline = Date().addingTimeInterval(10)
            while !new.isLeader && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            #expect(new.isLeader && new.leaderTerm == 1)
            #expect(try new.breakers() == [open])
            #expect(try new.alerts(state: nil, resolvedSince: 0) == [firing, pending])
        }
    }

    /// The leader learns that the server ended its election session when the connection closes, not at its next
    /// check (here 60 s away): no hook runs after that. A follower still tries again every `retrySeconds`; a
    /// leader that takes the lead again starts a new term (the writer seeds its engine once per term).
    @Test func aLeaderLearnsAtOnceThatItsSessionEnded() throws {
        try TestServer.withDatabase { url in
            let a = try PostgresStore.open(url: url, collectorID: "a", retrySeconds: 60)
            defer { a.close() }
            #expect(a.isLeader && a.leaderTerm == 1)
            let ended = Date()
            try PostgresAdmin.terminateLeader(url)
            while a.isLeader && Date().timeIntervalSince(ended) < 3 { Thread.sleep(forTimeInterval: 0.01) }
            #expect(!a.isLeader)
            #expect(Date().timeIntervalSince(ended) < 2)
            // Governance rows of the old term are refused (checked in the transaction) and no lead comes back
            // before the next try, 60 s away.
            try a.write(WriteBatch(breakerTransitions: [breaker(.closed, .open, at: now)]))
            Thread.sleep(forTimeInterval: 0.5)
            #expect(!a.isLeader && a.leaderTerm == 1)
            let reader = try PostgresStore.openReadOnly(url: url)
            defer { reader.close() }
            #expect(try reader.breakerHistory(caller: nil, callee: nil, limit: 10).isEmpty)

            let b = try PostgresStore.open(url: url, collectorID: "b", retrySeconds: 0.2)
            defer { b.close() }
            #expect(b.isLeader && b.leaderTerm == 1)
            try PostgresAdmin.terminateLeader(url)
            let again = Date().addingTimeInterval(10)
            while b.leaderTerm < 2 && Date() < again { Thread.sleep(forTimeInterval: 0.02) }
            #expect(b.isLeader && b.leaderTerm == 2)
        }
    }
}

extension AlertTransition {
    func withRule(_ rule: String) -> AlertTransition {
        var t = self
        t.rule = rule
        return t
    }
}
