import MeshtopModel
import MeshtopNet

/// Realistic ingest traffic for `meshtop bench ingest`: line templates with slots overwritten per line (random
/// trace/span ids, current timestamps), packed into datagrams of at most 1432 bytes.
/// `mixed`: per 10 lines, 4 Zipkin v2 JSON spans, 2 JSON logs, 2 RFC 5424 syslog logs, 2 StatsD metrics.
/// `metrics`: StatsD/DogStatsD only (counters, timers, gauges, tagged). `spans`: Zipkin v2 JSON spans only.
public struct BenchTraffic {
    public enum Mix: String, Sendable, CaseIterable {
        case mixed, metrics, spans
    }

    /// Kinds of line in one mix cycle.
    enum Kind { case span, jsonLog, syslog, metric }

    private let cycle: [Kind]
    private var random: SeededRandom
    private var counter: UInt64 = 0
    private var packer = DatagramPacker()
    private var line: [UInt8] = []
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
    private static let services = ["gateway", "orders", "payments", "inventory", "shipping", "users"]
    private static let routes = [
        "GET /api/orders", "POST /api/orders", "GET /api/items/{id}", "POST /charge",
        "GET /health", "PUT /api/cart",
    ]
    private static let messages = [
        "order processed", "cache miss for key", "payment authorized", "retrying request",
        "user session refreshed", "inventory reserved",
    ]

    public init(mix: Mix, seed: UInt64) {
        switch mix {
        case .mixed: cycle = [.span, .jsonLog, .metric, .span, .syslog, .span, .jsonLog, .metric, .span, .syslog]
        case .metrics: cycle = [.metric]
        case .spans: cycle = [.span]
        }
        random = SeededRandom(seed: seed)
        line.reserveCapacity(512)
    }

    /// Appends `count` lines stamped `nowMicros`; every completed datagram goes to `emit`.
    public mutating func generate(lines count: Int, nowMicros: Int64, emit: ([UInt8]) -> Void) {
        for _ in 0..<count {
            makeLine(nowMicros: nowMicros)
            packer.add(line, emit: emit)
        }
    }

    /// Sends the partly filled datagram.
    public mutating func flush(emit: ([UInt8]) -> Void) { packer.flush(emit: emit) }

    private mutating func next() -> UInt64 { random.next() }

    private mutating func makeLine(nowMicros: Int64) {
        counter &+= 1
        line.removeAll(keepingCapacity: true)
        let r = next()
        let service = Self.services[Int(r % 6)]
        switch cycle[Int(counter % UInt64(cycle.count))] {
        case .span:
            let duration = 200 + (r >> 8) % 250_000
            let error = (r >> 40) % 50 == 0
            put("{\"traceId\":\"")
            hex(next(), 16)
            hex(next(), 16)
            put("\",\"id\":\"")
            hex(next(), 16)
            put("\",\"parentId\":\"")
            hex(next(), 16)
            put("\",\"name\":\"" + Self.routes[Int((r >> 16) % 6)] + "\",\"kind\":\"SERVER\",\"timestamp\":")
            put(String(nowMicros - Int64(duration)))
            put(",\"duration\":" + String(duration) + ",\"localEndpoint\":{\"serviceName\":\"" + service + "\"},")
            put("\"tags\":{\"http.method\":\"GET\",\"http.status_code\":\"" + (error ? "503" : "200") + "\"")
            put(",\"component\":\"http\"}}")
        case .jsonLog:
            put("{\"level\":\"" + ((r >> 20) % 10 == 0 ? "error" : "info") + "\",\"service\":\"" + service)
            put("\",\"msg\":\"" + Self.messages[Int((r >> 12) % 6)] + " " + String((r >> 30) % 100_000))
            put("\",\"trace_id\":\"")
            hex(next(), 16)
            hex(next(), 16)
            put("\",\"user_id\":" + String((r >> 24) % 10_000) + "}")
        case .syslog:
            put("<" + String(8 + (r >> 10) % 8) + ">1 - host-" + String((r >> 14) % 20) + " " + service)
            put(" " + String(1000 + (r >> 18) % 30_000) + " - - " + Self.messages[Int((r >> 12) % 6)])
            put(" id=" + String((r >> 33) % 1_000_000))
        case .metric:
            let series = String((r >> 16) % 20)
            switch (r >> 8) % 4 {
            case 0: put(service + ".requests:1|c|#env:prod,route:r" + series)
            case 1: put(service + ".latency:" + String((r >> 24) % 900) + "." + String((r >> 4) % 10) + "|ms")
            case 2: put(service + ".queue.depth:" + String((r >> 20) % 500) + "|g|#shard:" + series)
            default: put(service + ".bytes:" + String((r >> 22) % 65_536) + "|h|@0.5")
            }
        }
    }

    private mutating func put(_ s: String) { line.append(contentsOf: s.utf8) }

    private mutating func hex(_ v: UInt64, _ digits: Int) {
        var shift = (digits - 1) * 4
        while shift >= 0 {
            line.append(Self.hexDigits[Int((v >> UInt64(shift)) & 0xf)])
            shift -= 4
        }
    }
}
