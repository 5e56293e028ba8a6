import MeshtopGovernance
import MeshtopModel
import MeshtopQuery
import MeshtopStore

/// A small database with known contents: three traces, four logs, rollups for four services, two edges,
/// breakers, alerts and metric flushes, all relative to `t0` (2026-11-26T10:00:00Z, on a minute boundary).
enum FixtureDatabase {
    static let t0: Int64 = RFC3339.parse("2026-11-26T10:00:00Z")!
    static let ms: Int64 = 1_000
    static let minute: Int64 = 60_000_000
    static let window = TimeWindow(sinceMicros: t0, untilMicros: t0 + 15 * minute)

    static let traceA = TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736")!
    static let traceB = TraceID(hex: "4bf9000000000000000000000000000b")!
    static let traceC = TraceID(hex: "abcdef0123456789")!

    /// frontend's latencies, split over two minutes: 50 × 10 ms, then 40 × 10 ms and 10 × 200 ms.
    static let frontendMinutes: [[Int64]] = [
        Array(repeating: 10 * ms, count: 50),
        Array(repeating: 10 * ms, count: 40) + Array(repeating: 200 * ms, count: 10),
    ]

    static func histogram(_ values: [Int64]) -> LatencyHistogram {
        var h = LatencyHistogram()
        for v in values { h.record(v) }
        return h
    }

    static func spans() -> [Span] {
        func id(_ v: UInt64) -> SpanID { SpanID(v) }
        return [
            Span(
                traceID: traceA, spanID: id(1), parentID: nil, service: "frontend", name: "GET /checkout",
                kind: .server, startMicros: t0, durationMicros: 120 * ms),
            Span(
                traceID: traceA, spanID: id(2), parentID: id(1), service: "frontend", name: "orders.create",
                kind: .client, startMicros: t0 + 5 * ms, durationMicros: 100 * ms, peerService: "orders"),
            Span(
                traceID: traceA, spanID: id(3), parentID: id(2), service: "orders", name: "POST /orders",
                kind: .server, startMicros: t0 + 10 * ms, durationMicros: 90 * ms,
                attributes: [Attribute("http.method", .string("POST")), Attribute("http.status_code", .int(201))]),
            Span(
                traceID: traceA, spanID: id(4), parentID: id(3), service: "payments", name: "charge", kind: .server,
                startMicros: t0 + 20 * ms, durationMicros: 40 * ms, isError: true, status: .error,
                attributes: [Attribute("error", .bool(true)), Attribute("card", .string("visa"))],
                events: [
                    SpanEvent(timeMicros: t0 + 50 * ms, name: "declined", attributes: [Attribute("code", .int(51))])
                ]),
            Span(
                traceID: traceA, spanID: id(5), parentID: id(3), service: "orders", name: "db.query", kind: .client,
                startMicros: t0 + 65 * ms, durationMicros: 30 * ms),
            Span(
                traceID: traceB, spanID: id(6), parentID: nil, service: "frontend", name: "GET /home", kind: .server,
                startMicros: t0 + 1_000 * ms, durationMicros: 10 * ms,
                attributes: [Attribute("http.method", .string("GET"))]),
            Span(
                traceID: traceC, spanID: id(7), parentID: nil, service: "orders", name: "consume", kind: .consumer,
                startMicros: t0 + 2_000 * ms, durationMicros: 5 * ms),
        ]
    }

    static func logs() -> [LogRecord] {
        [
            LogRecord(
                timeMicros: t0 + 30 * ms, service: "payments", host: "pay-1", severity: .error,
                message: "charge failed: card declined", traceID: traceA, spanID: SpanID(4),
                attributes: [Attribute("code", .int(51))]),
            LogRecord(
                timeMicros: t0 + 40 * ms, service: "orders", host: "ord-1", severity: .info, message: "order created",
                traceID: traceA, spanID: SpanID(3)),
            LogRecord(
                timeMicros: t0 + 50 * ms, service: "frontend", host: "web-1", severity: .warning,
                message: "evil \u{1b}[2J title, with \"quotes\"\nand a second line"),
            LogRecord(
                timeMicros: t0 + 3_000 * ms, service: "orders", host: "ord-1", severity: .debug, message: "cache miss"),
        ]
    }

    static func serviceRollups() -> [ServiceRollup] {
        func rollup(_ minute: Int64, _ service: String, _ values: [Int64], errors: Int64) -> ServiceRollup {
            ServiceRollup(
                minuteMicros: minute, service: service, requests: Int64(values.count), errors: errors,
                sumMicros: values.reduce(0, +), maxMicros: values.max() ?? 0,
                satisfied: Int64(values.filter { $0 <= 500 * ms }.count),
                tolerating: Int64(values.filter { $0 > 500 * ms && $0 <= 2_000 * ms }.count),
                histogram: histogram(values).encode())
        }
        return [
            rollup(t0, "frontend", frontendMinutes[0], errors: 0),
            rollup(t0 + minute, "frontend", frontendMinutes[1], errors: 0),
            rollup(t0, "orders", Array(repeating: 20 * ms, count: 50), errors: 1),
            rollup(t0, "payments", Array(repeating: 30 * ms, count: 20), errors: 0),
            rollup(t0 - 30 * minute, "inventory", [5 * ms], errors: 0),
            rollup(t0 + 20 * minute, "frontend", [1 * ms], errors: 1),
        ]
    }

    static func edgeRollups() -> [EdgeRollup] {
        [
            EdgeRollup(
                minuteMicros: t0, caller: "frontend", callee: "orders", calls: 50, errors: 1, sumMicros: 50 * 25 * ms,
                maxMicros: 25 * ms, histogram: histogram(Array(repeating: 25 * ms, count: 50)).encode()),
            EdgeRollup(
                minuteMicros: t0, caller: "orders", callee: "payments", calls: 20, errors: 0, sumMicros: 20 * 35 * ms,
                maxMicros: 35 * ms, histogram: histogram(Array(repeating: 35 * ms, count: 20)).encode()),
        ]
    }

    static func breakers() -> [BreakerStatus] {
        [
            BreakerStatus(
                caller: "orders", callee: "payments", source: .simulated, state: .open, failureRate: 60,
                slowCallRate: 0, callsInWindow: 100, wouldReject: 7, sinceMicros: t0 + 30_000 * ms,
                lastCallMicros: t0 + 50_000 * ms, transitions: 1),
            BreakerStatus(
                caller: "frontend", callee: "orders", source: .simulated, state: .closed, failureRate: nil,
                slowCallRate: nil, callsInWindow: 50, wouldReject: 0, sinceMicros: t0,
                lastCallMicros: t0 + 59_000 * ms, transitions: 0),
        ]
    }

    static func alerts() -> [AlertStatus] {
        [
            AlertStatus(
                rule: "HighErrorRate", severity: "page", labels: [Attribute("service", .string("orders"))],
                state: .firing, value: 0.02, sinceMicros: t0, firedAtMicros: t0 + minute,
                summary: "orders error rate 2%"),
            AlertStatus(
                rule: "SlowP99", severity: "ticket", labels: [Attribute("service", .string("frontend"))],
                state: .pending, value: 200, sinceMicros: t0 + 2 * minute, summary: "frontend p99 200ms"),
            AlertStatus(
                rule: "OldResolved", severity: "ticket", labels: [], state: .resolved, value: 0,
                sinceMicros: t0 - 90 * minute, firedAtMicros: t0 - 80 * minute, resolvedAtMicros: t0 - 60 * minute,
                summary: "old"),
            AlertStatus(
                rule: "RecentResolved", severity: "ticket", labels: [], state: .resolved, value: 0,
                sinceMicros: t0, firedAtMicros: t0 + minute, resolvedAtMicros: t0 + 6 * minute, summary: "recent"),
        ]
    }

    static func metricRollups() -> [MetricRollup] {
        let i: Int64 = 10_000_000
        return [
            MetricRollup(
                timeMicros: t0, intervalMicros: i, name: "checkout.requests", type: .counter, tags: ["env:prod"],
                service: "checkout", count: 10, rate: 1),
            MetricRollup(
                timeMicros: t0 + i, intervalMicros: i, name: "checkout.requests", type: .counter, tags: ["env:prod"],
                service: "checkout", count: 20, rate: 2),
            MetricRollup(
                timeMicros: t0, intervalMicros: i, name: "checkout.queue", type: .gauge, tags: [], service: "checkout",
                last: 5),
            MetricRollup(
                timeMicros: t0 + i, intervalMicros: i, name: "checkout.queue", type: .gauge, tags: [],
                service: "checkout", last: 7),
            MetricRollup(
                timeMicros: t0, intervalMicros: i, name: "checkout.latency", type: .timer, tags: ["env:prod"],
                service: "checkout", count: 4, sum: 40, min: 5, max: 20, mean: 10, p50: 8, p90: 18, p95: 19, p99: 20),
            MetricRollup(
                timeMicros: t0 + i, intervalMicros: i, name: "checkout.latency", type: .timer, tags: ["env:prod"],
                service: "checkout", count: 6, sum: 90, min: 2, max: 30, mean: 15, p50: 14, p90: 28, p95: 29, p99: 30),
            MetricRollup(
                timeMicros: t0, intervalMicros: i, name: "checkout.users", type: .set, tags: [], service: "checkout",
                unique: 3),
            MetricRollup(
                timeMicros: t0 + i, intervalMicros: i, name: "checkout.users", type: .set, tags: [],
                service: "checkout", unique: 5),
            MetricRollup(
                timeMicros: t0, intervalMicros: i, name: "other.thing", type: .counter, tags: ["env:dev"],
                service: "other", count: 1, rate: 0.1),
        ]
    }

    /// frontend's requests in flight: minute 0 30 s at 0, 20 s at 1, 10 s at 2; minute 1 50 s at 1, 9 s at 3, 1 s at
    /// 5. Merged: max 5, p99 3 (119 of 120 s at ≤ 3), mean 122 / 120. A minute outside the window holds 9.
    static func concurrency() -> [ServiceConcurrency] {
        func row(_ minute: Int64, _ levels: [(Int, Int64)]) -> ServiceConcurrency {
            var l = InFlightLevels()
            for (level, seconds) in levels { l.add(level: level, micros: seconds * 1_000_000) }
            return ServiceConcurrency(
                minuteMicros: minute, service: "frontend", maxInFlight: l.maxLevel, p99InFlight: l.percentile(99),
                levels: l.encode())
        }
        return [
            row(t0, [(0, 30), (1, 20), (2, 10)]), row(t0 + minute, [(1, 50), (3, 9), (5, 1)]),
            row(t0 + 20 * minute, [(9, 60)]),
        ]
    }

    static func batch() -> WriteBatch {
        var batch = WriteBatch(
            spans: spans(), logs: logs(), metricRollups: metricRollups(), serviceRollups: serviceRollups(),
            edgeRollups: edgeRollups(), breakerStatuses: breakers(),
            breakerTransitions: [
                BreakerTransition(
                    caller: "orders", callee: "payments", atMicros: t0 + 30_000 * ms, from: .closed, to: .open,
                    failureRate: 60, slowCallRate: 0, calls: 100, failedCalls: 60, slowCalls: 0)
            ],
            alertStatuses: alerts(),
            alertTransitions: [
                AlertTransition(
                    rule: "HighErrorRate", severity: "page", labels: [Attribute("service", .string("orders"))],
                    from: .pending, to: .firing, atMicros: t0 + minute, value: 0.02, summary: "orders error rate 2%")
            ],
            counterDeltas: ["lines": 42, "parsed.spans": 7, "rejected.malformed_json": 2],
            gauges: ["lines_per_s": 3.5])
        batch.governanceExtras.concurrency = concurrency()
        return batch
    }

    /// A fresh in-memory store holding `batch()`, wrapped in the query layer.
    static func queries() throws -> MeshtopQueries {
        let store = try MeshtopStore.inMemory()
        try store.write(batch())
        return MeshtopQueries(reader: store)
    }
}
