import Foundation
import MeshtopModel
import Testing

@testable import MeshtopGovernance

@Suite struct RulesTests {
    @Test func parsesEveryField() throws {
        let yaml = """
            defaults:
              window: 2m
              apdex_t: 300ms
              breaker: hystrix
            services:
              - match: "pay*"
                latency_objective: 250ms
                error_rate_failing: 5
            breakers:
              - caller: gateway
                callee: orders
                preset: sentinel
                wait_duration_in_open_state: 20s
            rules:
              - name: OrdersErrors
                signal: error_rate
                scope: {service: orders}
                op: ">"
                threshold: 5
                for: 1m
                keep_firing_for: 30s
                severity: critical
                summary: "{{service}} at {{value}}%"
              - name: QueueDepth
                signal: metric:checkout.queue
                aggregation: max
                scope: {tags: {env: "prod*"}}
                op: ">="
                threshold: 100
                window: 5m
              - name: LogErrors
                signal: log_rate
                min_severity: warn
                op: ">"
                threshold: 0.5
            """
        let r = try RuleSet.parse(yaml: yaml)
        #expect(r.defaultThresholds.apdexTMicros == 300_000)
        #expect(r.thresholds(for: "payments").latencyObjectiveMicros == 250_000)
        #expect(r.thresholds(for: "payments").apdexTMicros == 300_000)
        #expect(r.thresholds(for: "payments").failingErrorRate == 5)
        #expect(r.thresholds(for: "orders") == r.defaultThresholds)
        #expect(r.breakerConfig(caller: "gateway", callee: "orders").waitDurationInOpenStateMicros == 20_000_000)
        #expect(r.breakerConfig(caller: "gateway", callee: "orders").tripsOnlyAboveThreshold)
        #expect(r.breakerConfig(caller: "x", callee: "y") == .hystrix)
        #expect(r.rules.count == 3)
        let e = r.rules[0]
        #expect(e.signal == .errorRate && e.op == .gt && e.threshold == 5 && e.forMicros == 60_000_000)
        #expect(e.keepFiringForMicros == 30_000_000 && e.windowMicros == 120_000_000 && e.severity == "critical")
        #expect(e.scope.service == "orders" && e.line == 15)
        #expect(r.rules[1].signal == .metric(name: "checkout.queue", aggregation: .max))
        #expect(r.rules[1].scope.tags == ["env": "prod*"] && r.rules[1].windowMicros == 300_000_000)
        #expect(r.rules[2].signal == .logRate(minSeverity: .warning) && r.rules[2].severity == "warning")
    }

    @Test func errorsNameTheLine() {
        func error(_ yaml: String) -> RulesError? {
            do {
                _ = try RuleSet.parse(yaml: yaml)
                return nil
            } catch { return error }
        }
        let typo = "rules:\n  - name: A\n    signal: rps\n    op: \">\"\n    treshold: 1\n"
        #expect(error(typo) == .unknownField(line: 5, field: "treshold", allowed: AlertRuleParser.ruleFields))
        let badOp = "rules:\n  - name: A\n    signal: rps\n    op: \"=>\"\n    threshold: 1\n"
        #expect(error(badOp)?.line == 4)
        #expect(error(badOp)?.description.contains("one of > >= < <= == !=") == true)
        let missing = "rules:\n  - name: A\n    signal: rps\n    threshold: 1\n"
        #expect(error(missing) == .missingField(line: 2, field: "op", context: "rule 'A'"))
        let badSignal = "rules:\n  - name: A\n    signal: latency\n    op: \">\"\n    threshold: 1\n"
        #expect(error(badSignal)?.line == 3)
        let badDuration = "rules:\n  - name: A\n    signal: rps\n    op: \">\"\n    threshold: 1\n    for: soon\n"
        #expect(error(badDuration)?.line == 6)
        let syntax = "rules:\n  - name: A\n   signal: [\n"
        #expect(error(syntax) != nil)
        if case .syntax = error(syntax) {} else { Issue.record("expected a syntax error") }
        let dup =
            "rules:\n  - {name: A, signal: rps, op: '>', threshold: 1}\n"
            + "  - {name: A, signal: rps, op: '<', threshold: 1}\n"
        #expect(error(dup) == .duplicateRule(line: 3, name: "A", firstLine: 2))
        let badPreset = "breakers:\n  - callee: x\n    preset: envoy\n"
        #expect(error(badPreset)?.line == 3)
    }

    @Test func sampleFileParses() throws {
        let path = String(#filePath).split(separator: "/").dropLast(3).joined(separator: "/")
        let text = try String(contentsOfFile: "/" + path + "/samples/rules.yaml", encoding: .utf8)
        let r = try RuleSet.parse(yaml: text)
        #expect(r.rules.count >= 8)
        #expect(!r.services.isEmpty && !r.breakers.isEmpty)
    }

    @Test func globs() {
        #expect(Glob.matches("pay*", "payments"))
        #expect(Glob.matches("*ment?", "payments"))
        #expect(!Glob.matches("pay", "payments"))
        #expect(Glob.matches(nil, "x"))
        #expect(Glob.matches("a*b*c", "axxbyyc") && !Glob.matches("a*b*c", "axxbyy"))
    }
}
