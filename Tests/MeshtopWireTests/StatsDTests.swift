import MeshtopModel
import Testing

@testable import MeshtopWire

@Suite struct StatsDTests {
    func one(_ line: String) -> MetricSample? {
        let out = StatsDDecoder.decode(line)
        guard out.count == 1 else { return nil }
        return out[0].metric
    }

    @Test func statsdFixture() throws {
        let d = try Fixture.decoded("statsd")
        #expect(d.count == 17)
        let metrics = d.map { $0.compactMap(\.metric) }
        #expect(d.allSatisfy { $0.allSatisfy { $0.rejection == nil } })
        let orders = metrics[0..<4].map { $0[0] }
        #expect(orders.map(\.name) == Array(repeating: "checkout.orders", count: 4))
        #expect(orders.map(\.type) == Array(repeating: .counter, count: 4))
        #expect(orders.map(\.value) == [1, 3, 2, -1])
        #expect(orders.map(\.sampleRate) == [1, 0.5, 1, 1])
        #expect(orders.map(\.service) == Array(repeating: "checkout", count: 4))
        #expect(orders.map { $0.value / $0.sampleRate }.reduce(0, +) == 8)
        let latency = metrics[4..<7].map { $0[0] }
        #expect(latency.map(\.type) == [.timer, .timer, .timer])
        #expect(latency.map(\.value) == [12.5, 250, 7])
        #expect(latency.map(\.value).reduce(0, +) == 269.5)
        let queue = metrics[7..<11].flatMap { $0 }
        #expect(queue.map(\.name) == Array(repeating: "checkout.queue", count: 5))
        #expect(queue.map(\.value) == [42, 5, -3, 0, -7])
        #expect(queue.map(\.isDelta) == [false, true, true, false, true])
        #expect(metrics[11] == [MetricSample(name: "checkout.temperature", type: .gauge, value: 21.5)])
        #expect(metrics[12..<15].map { $0[0].setMember } == ["alice", "bob", "alice"])
        #expect(Set(metrics[12..<15].map { $0[0].setMember }).count == 2)
        #expect(metrics[12].first?.type == .set)
        let pipe = metrics[15]
        let names = ["checkout.pipe.count", "checkout.pipe.time", "checkout.pipe.level", "checkout.pipe.ids"]
        #expect(pipe.map(\.name) == names)
        #expect(pipe.map(\.type) == [.counter, .timer, .gauge, .set])
        #expect(pipe.map(\.value) == [1, 3, 9, 0])
        #expect(pipe[3].setMember == "17")
        #expect(metrics[16] == [MetricSample(name: "payments.charges", type: .counter, value: 1)])
        #expect(metrics[16].first?.service == "payments")
    }

    @Test func pipelineSplitFixture() throws {
        let d = try Fixture.decoded("statsd_pipeline_split")
        #expect(d.map(\.count) == [17, 17, 6])
        let all = d.flatMap { $0 }.compactMap(\.metric)
        #expect(all.count == 40)
        for (i, m) in all.enumerated() {
            let sku = String(i)
            #expect(m.name == "checkout.items.sku_" + String(repeating: "0", count: 4 - sku.count) + sku)
            #expect(m.value == Double(i + 1))
            #expect(m.type == .counter)
        }
    }

    @Test func multiPartAndPacked() {
        let multi = StatsDDecoder.decode("a.b:1|c:2|ms|@0.5:3|g").compactMap(\.metric)
        #expect(multi.map(\.type) == [.counter, .timer, .gauge])
        #expect(multi.map(\.value) == [1, 2, 3])
        #expect(multi.map(\.sampleRate) == [1, 0.5, 1])
        let packed = StatsDDecoder.decode("lat:1:2.5:3|d|@0.25|#b:2,a:1").compactMap(\.metric)
        #expect(packed.map(\.value) == [1, 2.5, 3])
        #expect(packed.allSatisfy { $0.tags == ["a:1", "b:2"] && $0.sampleRate == 0.25 && $0.type == .distribution })
    }

    @Test func dogstatsdExtensions() {
        let m = one("cart.backlog:12|g|#env:test,service:cart|c:abc123|e:ext|card:high|T1764190000")
        #expect(m?.timestampMicros == 1_764_190_000_000_000)
        #expect(m?.tags == ["env:test", "service:cart"])
        #expect(m?.service == "cart")
        #expect(one("x.y:1|c|#,,a,,")?.tags == ["a"])
        #expect(one("x.y:-0.5|g")?.isDelta == true)
        #expect(one("x.y:-0.5|c")?.isDelta == false)
        #expect(one("x.y:1e3|ms")?.value == 1000)
        #expect(one("x.y:0.1|ms")?.value == 0.1)
        #expect(one("x.y:19.99|ms")?.value == 19.99)
    }

    @Test func malformed() {
        let bad = [
            "x:|c", "x:1", "x:1|", "x:1|q", "x:1|c|@0", "x:1|c|@2", "x:1|c|@abc", ":1|c", "x:abc|c", "x:1|c:",
            "x:1::2|c", "x:1|c|Tabc", "x:nan|g", "x:inf|g", "x:1|cc", "x:--1|c",
        ]
        for line in bad {
            #expect(StatsDDecoder.decode(line).map(\.rejection) == [.statsd], "\(line)")
        }
    }
}

@Suite struct StatsDEncoderTests {
    @Test func roundTrip() {
        let samples = [
            MetricSample(name: "checkout.orders", type: .counter, value: 3, sampleRate: 0.5),
            MetricSample(name: "checkout.latency", type: .timer, value: 12.5),
            MetricSample(name: "checkout.queue", type: .gauge, value: 5, isDelta: true),
            MetricSample(name: "checkout.queue", type: .gauge, value: -3, isDelta: true),
            MetricSample(name: "checkout.users", type: .set, value: 0, setMember: "alice"),
            MetricSample(
                name: "cart.backlog", type: .distribution, value: 19.99, tags: ["env:test", "service:cart"],
                timestampMicros: 1_764_190_000_000_000),
        ]
        for s in samples {
            #expect(StatsDDecoder.decode(StatsDEncoder.line(s)).compactMap(\.metric) == [s])
        }
        #expect(StatsDEncoder.line(samples[2]) == "checkout.queue:+5|g")
        #expect(StatsDEncoder.line(samples[0]) == "checkout.orders:3|c|@0.5")
    }

    @Test func negativeAbsoluteGaugeIsTwoLines() {
        let s = MetricSample(name: "q", type: .gauge, value: -7)
        #expect(StatsDEncoder.line(s) == "q:0|g\nq:-7|g")
        let back = Fixture.decode(StatsDEncoder.line(s)).compactMap(\.metric)
        #expect(back.map(\.value) == [0, -7])
        #expect(back.map(\.isDelta) == [false, true])
    }

    /// The default service: tag `service:`, else the name up to its first `.` (as `Character`s for names that are
    /// not ASCII), for every part of a multi-part line.
    @Test func defaultServiceFromName() {
        #expect(StatsDDecoder.decode("api.http.requests:1|c").first?.metric?.service == "api")
        #expect(StatsDDecoder.decode("requests:1|c").first?.metric?.service == "requests")
        #expect(StatsDDecoder.decode(".requests:1|c").first?.metric?.service == "")
        #expect(StatsDDecoder.decode("api.requests:1|c|#env:prod,service:cart").first?.metric?.service == "cart")
        #expect(StatsDDecoder.decode("api.requests:1|c|#env:prod").first?.metric?.service == "api")
        #expect(StatsDDecoder.decode("caf\u{e9}.requests:1|c").first?.metric?.service == "caf\u{e9}")
        #expect(StatsDDecoder.decode("a\u{301}.b:1|c").first?.metric?.service == "a\u{301}")
        #expect(StatsDDecoder.decode("x.\u{301}b.c:1|c").first?.metric?.service == "x.\u{301}b")
        let parts = StatsDDecoder.decode("web.x:1|c|@0.5:2|g").compactMap(\.metric)
        #expect(parts.map(\.service) == ["web", "web"])
    }
}
