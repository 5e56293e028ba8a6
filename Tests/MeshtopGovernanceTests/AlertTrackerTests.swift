import MeshtopModel
import Testing

@testable import MeshtopGovernance

@Suite struct AlertTrackerTests {
    let s: Int64 = 1_000_000
    let labels = [Attribute("service", .string("orders"))]

    func run(_ rule: AlertRule, _ holds: [Bool]) -> ([AlertTransition], AlertTracker) {
        var tracker = AlertTracker()
        var out: [AlertTransition] = []
        for (i, h) in holds.enumerated() {
            let active = h ? [AlertTracker.Sample(labels: labels, value: 7, summary: "x")] : []
            tracker.apply(rule: rule, active: active, at: Int64(i) * 5 * s, transitions: &out)
        }
        return (out, tracker)
    }

    /// Evaluations every 5 s, `for: 10s`: pending at 0, firing at 10 s, resolved at 25 s.
    @Test func pendingFiringResolved() {
        let rule = AlertRule(name: "R", signal: .errorRate, op: .gt, threshold: 5, forMicros: 10 * s)
        let (t, tracker) = run(rule, [true, true, true, true, true, false])
        #expect(t.map(\.to) == [.pending, .firing, .resolved])
        #expect(t.map(\.atMicros) == [0, 10 * s, 25 * s])
        #expect(t.map(\.from) == [.inactive, .pending, .firing])
        let st = tracker.statuses[0]
        #expect(st.state == .resolved && st.sinceMicros == 0 && st.firedAtMicros == 10 * s)
        #expect(st.resolvedAtMicros == 25 * s)
    }

    @Test func forZeroFiresAtOnce() {
        let rule = AlertRule(name: "R", signal: .rps, op: .gt, threshold: 0)
        let (t, _) = run(rule, [true])
        #expect(t.map(\.to) == [.pending, .firing])
        #expect(t.allSatisfy { $0.atMicros == 0 })
    }

    /// A pending alert whose condition disappears is dropped without a resolve.
    @Test func pendingIsDroppedSilently() {
        let rule = AlertRule(name: "R", signal: .rps, op: .gt, threshold: 0, forMicros: 60 * s)
        let (t, tracker) = run(rule, [true, true, false])
        #expect(t.map(\.to) == [.pending])
        #expect(tracker.instances.isEmpty)
    }

    /// keep_firing_for 10 s: condition gone at 10 s; still firing at 10 and 15 s (since 10 s, < 10 s elapsed),
    /// resolved at 20 s. A returning condition inside the hold keeps the same alert.
    @Test func keepFiringFor() {
        let rule = AlertRule(name: "R", signal: .rps, op: .gt, threshold: 0, keepFiringForMicros: 10 * s)
        let (t, _) = run(rule, [true, true, false, false, false])
        #expect(t.map(\.to) == [.pending, .firing, .resolved])
        #expect(t.last?.atMicros == 20 * s)
        let (t2, tr2) = run(rule, [true, false, true, false, false, false])
        #expect(t2.map(\.to) == [.pending, .firing, .resolved])
        #expect(t2.last?.atMicros == 25 * s)
        #expect(tr2.statuses[0].firedAtMicros == 0)
    }

    /// Resolved stays 15 minutes in the active view; a new occurrence starts a new pending instance.
    @Test func resolvedRetentionAndRestart() {
        let rule = AlertRule(name: "R", signal: .rps, op: .gt, threshold: 0)
        var tracker = AlertTracker()
        var out: [AlertTransition] = []
        let a = [AlertTracker.Sample(labels: labels, value: 1, summary: "")]
        tracker.apply(rule: rule, active: a, at: 0, transitions: &out)
        tracker.apply(rule: rule, active: [], at: 5 * s, transitions: &out)
        tracker.apply(rule: rule, active: [], at: 5 * s + 900 * s, transitions: &out)
        #expect(tracker.statuses.first?.state == .resolved)
        tracker.apply(rule: rule, active: [], at: 5 * s + 900 * s + 1, transitions: &out)
        #expect(tracker.statuses.isEmpty)
        tracker.apply(rule: rule, active: a, at: 2000 * s, transitions: &out)
        #expect(out.map(\.to) == [.pending, .firing, .resolved, .pending, .firing])
    }

    /// Each rule's instances are walked in fingerprint order whatever order their series come in, and a rule's
    /// evaluation leaves the other rules' instances alone; instances dropped and re-created keep that order.
    @Test func instancesAreWalkedInFingerprintOrder() {
        let a = AlertRule(name: "A", signal: .rps, op: .gt, threshold: 0)
        let b = AlertRule(name: "B", signal: .rps, op: .gt, threshold: 0, forMicros: 10 * s)
        func samples(_ names: [String]) -> [AlertTracker.Sample] {
            names.map { AlertTracker.Sample(labels: [Attribute("service", .string($0))], value: 1, summary: "") }
        }
        func services(_ t: [AlertTransition]) -> [String] { t.map { $0.labels[0].value.text } }
        var tracker = AlertTracker()
        var out: [AlertTransition] = []
        tracker.apply(rule: a, active: samples(["zeta", "alpha", "mid"]), at: 0, transitions: &out)
        #expect(services(out) == ["zeta", "alpha", "mid", "alpha", "mid", "zeta"])
        #expect(out.map(\.to) == [.pending, .pending, .pending, .firing, .firing, .firing])
        out = []
        tracker.apply(rule: b, active: samples(["mid", "beta"]), at: 0, transitions: &out)
        tracker.apply(rule: a, active: samples(["zeta"]), at: 5 * s, transitions: &out)
        #expect(services(out) == ["mid", "beta", "alpha", "mid"])
        #expect(out.map(\.rule) == ["B", "B", "A", "A"] && out.last?.to == .resolved)
        out = []
        tracker.apply(rule: b, active: samples(["beta", "mid", "aaa"]), at: 10 * s, transitions: &out)
        #expect(services(out) == ["aaa", "beta", "mid"])
        #expect(out.map(\.to) == [.pending, .firing, .firing])
        out = []
        tracker.apply(rule: a, active: samples(["mid", "alpha", "zeta"]), at: 5 * s + 901 * s, transitions: &out)
        #expect(services(out) == ["mid", "alpha", "alpha", "mid"])
        #expect(out.map(\.to) == [.pending, .pending, .firing, .firing])
        tracker.retain(rules: ["A"])
        #expect(tracker.instances.values.allSatisfy { $0.rule == "A" } && tracker.instances.count == 3)
        out = []
        tracker.apply(rule: b, active: samples(["beta"]), at: 1000 * s, transitions: &out)
        #expect(out.map(\.to) == [.pending])
    }

    @Test func summaryTemplate() {
        let rule = AlertRule(
            name: "R", signal: .errorRate, op: .gt, threshold: 5, severity: "page",
            summary: "{{service}} errors {{value}}% > {{threshold}} ({{labels.service}}, {{rule}}/{{severity}}){{x}}")
        let text = GovernanceEngine.render(rule, labels, 12.34567)
        #expect(text == "orders errors 12.346% > 5 (orders, R/page)")
    }
}
