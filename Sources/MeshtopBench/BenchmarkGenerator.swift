import MeshtopModel

extension StoreBenchmark {
    /// Deterministic synthetic traffic shaped like a small microservice mesh: traces of 1–12 spans over 12
    /// services, HTTP-style attributes, logs with varied words (40 % carrying a trace id), StatsD rollups.
    public struct Generator: Sendable {
        private var random: SeededRandom
        /// Event time of the next record (µs); advances ~16 µs per span (≈ 60,000 spans/s of event time).
        public private(set) var clockMicros: Int64
        /// Trace ids generated so far, sampled (every 64th) for lookup benchmarks.
        public private(set) var sampledTraceIDs: [TraceID] = []
        private var traces = 0

        static let services = [
            "frontend", "checkout", "orders", "payments", "inventory", "shipping", "users", "auth", "search",
            "recommendations", "cart", "notifications",
        ]
        static let routes = [
            "/api/orders", "/api/orders/{id}", "/api/cart", "/api/pay", "/api/users/{id}", "/login", "/search",
            "/api/items/{id}", "/api/ship", "/health", "/api/recommend", "/api/notify",
        ]
        static let words = [
            "request", "completed", "failed", "timeout", "connection", "refused", "retry", "cache", "miss", "hit",
            "user", "order", "payment", "declined", "accepted", "inventory", "reserved", "released", "shipping",
            "label", "created", "token", "expired", "database", "query", "slow", "upstream", "reset", "circuit",
            "open", "closed", "queue", "backlog", "worker", "started", "stopped", "session", "invalid", "checksum",
        ]

        public init(seed: UInt64 = 42, startMicros: Int64 = 1_790_000_000_000_000) {
            random = SeededRandom(seed: seed)
            clockMicros = startMicros
        }

        mutating func next() -> UInt64 { random.next() }

        mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }

        /// About `count` spans, whole traces.
        public mutating func spans(_ count: Int) -> [Span] {
            var out: [Span] = []
            out.reserveCapacity(count + 12)
            while out.count < count { appendTrace(to: &out) }
            return out
        }

        private mutating func appendTrace(to out: inout [Span]) {
            let trace = TraceID(high: next(), low: next())
            if traces % 64 == 0 { sampledTraceIDs.append(trace) }
            traces += 1
            let size = 1 + Int(next() % 12)
            let traceStart = clockMicros
            var parents: [(SpanID, String)] = []
            for i in 0..<size {
                let id = SpanID(next() | 1)
                let parent = i == 0 ? nil : parents[Int(next() % UInt64(parents.count))]
                let service = i == 0 ? "frontend" : pick(Self.services)
                let status = next() % 50 == 0 ? 500 : (next() % 20 == 0 ? 404 : 200)
                let route = pick(Self.routes)
                let kind: SpanKind = i == 0 || parent?.1 != service ? .server : .client
                out.append(
                    Span(
                        traceID: trace, spanID: id, parentID: parent?.0, service: service, name: "GET " + route,
                        kind: kind, startMicros: traceStart + Int64(i) * 150,
                        durationMicros: Int64(200 + next() % 200_000), isError: status >= 500,
                        status: status >= 500 ? .error : .unset, peerService: kind == .client ? parent?.1 : nil,
                        attributes: [
                            Attribute("http.method", .string("GET")), Attribute("http.route", .string(route)),
                            Attribute("http.status_code", .int(Int64(status))),
                            Attribute("net.peer.name", .string(service + "-\(next() % 8).svc.cluster.local")),
                            Attribute("component", .string("net/http")),
                        ],
                        events: next() % 10 == 0
                            ? [SpanEvent(timeMicros: traceStart + 50, name: "retry", attributes: [])] : []))
                parents.append((id, service))
                clockMicros += 16
            }
        }

        /// `count` log records; 40 % carry the id of a recent trace.
        public mutating func logs(_ count: Int) -> [LogRecord] {
            var out: [LogRecord] = []
            out.reserveCapacity(count)
            for _ in 0..<count {
                var message = ""
                for w in 0..<(5 + Int(next() % 8)) {
                    if w > 0 { message += " " }
                    message += next() % 5 == 0 ? "id=\(next() % 1_000_000)" : pick(Self.words)
                }
                let traced = next() % 5 < 2
                let trace = traced ? TraceID(high: next(), low: next()) : nil
                let severity = Severity(rawValue: 3 + Int(next() % 5)) ?? .info
                out.append(
                    LogRecord(
                        timeMicros: clockMicros, service: pick(Self.services), host: "node-\(next() % 16)",
                        severity: severity, message: message, traceID: trace, spanID: traced ? SpanID(next()) : nil,
                        attributes: [
                            Attribute("logger", .string("app")), Attribute("thread", .int(Int64(next() % 32))),
                        ]))
                clockMicros += 16
            }
            return out
        }

        /// One flush's worth of metric rollups for `series` series.
        public mutating func metricRollups(_ series: Int) -> [MetricRollup] {
            (0..<series).map { i in
                let service = Self.services[i % Self.services.count]
                return MetricRollup(
                    timeMicros: clockMicros, intervalMicros: 10_000_000, name: "\(service).requests.\(i)",
                    type: i % 2 == 0 ? .counter : .timer, tags: ["env:bench", "service:\(service)"], service: service,
                    count: Double(next() % 1000), sum: Double(next() % 100_000), rate: Double(next() % 100),
                    p99: Double(next() % 500))
            }
        }
    }
}
