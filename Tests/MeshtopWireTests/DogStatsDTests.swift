import MeshtopModel
import Testing

@testable import MeshtopWire

@Suite struct DogStatsDTests {
    let const = ["env:test", "service:cart"]

    @Test func dogstatsdFixtureMetrics() throws {
        let d = try Fixture.decoded("dogstatsd")
        #expect(d.count == 16)
        #expect(d.allSatisfy { $0.count == 1 && $0[0].rejection == nil })
        let m = d[0..<12].map { $0[0].metric }
        let tags0 = ["env:test", "region:eu", "service:cart", "sku:42"]
        #expect(m[0] == MetricSample(name: "cart.adds", type: .counter, value: 1, tags: tags0))
        #expect(m[0]?.service == "cart")
        #expect(m[1]?.sampleRate == 0.5)
        #expect(m[1]?.value == 2)
        #expect(m[2]?.value == -1)
        #expect(m[2]?.tags == ["env:test", "reason:timeout", "service:cart"])
        #expect(m[3]?.type == .gauge && m[3]?.value == 7 && m[3]?.isDelta == false)
        #expect(m[4]?.value == 6.5)
        #expect(m[5]?.name == "cart.backlog" && m[5]?.timestampMicros == 1_764_190_000_000_000)
        #expect(m[6]?.type == .histogram && m[6]?.value == 3)
        #expect(m[6]?.tags == ["env:test", "page:checkout", "service:cart"])
        #expect(m[7]?.type == .distribution && m[7]?.value == 19.99)
        #expect(m[8]?.type == .timer && m[8]?.value == 35)
        #expect(m[9]?.value == 12.5)
        #expect(m[10]?.type == .set && m[10]?.setMember == "u1")
        #expect(m[11]?.tags == ["env:test", "error:bad_gateway_502", "path:/cart/v2", "service:cart"])
        #expect(m[0..<12].allSatisfy { $0?.service == "cart" })
    }

    @Test func dogstatsdFixtureEvents() throws {
        let d = try Fixture.decoded("dogstatsd")
        let e1 = try #require(d[12][0].log)
        #expect(e1.message == "Deploy: cart v2 rolled out")
        #expect(e1.service == "cart")
        #expect(e1.host == "build-1")
        #expect(e1.severity == .info)
        #expect(e1.timeMicros == Fixture.receivedAt)
        #expect(e1.attributes[key: "kind"] == .string("event"))
        #expect(e1.attributes[key: "title"] == .string("Deploy"))
        #expect(e1.attributes[key: "text"] == .string("cart v2 rolled out"))
        #expect(e1.attributes[key: "aggregation_key"] == .string("deploy-cart"))
        #expect(e1.attributes[key: "priority"] == .string("low"))
        #expect(e1.attributes[key: "source"] == .string("jenkins"))
        #expect(e1.attributes[key: "alert_type"] == .string("info"))
        #expect(e1.attributes[key: "tags"] == .array(["team:shop", "env:test", "service:cart"].map { .string($0) }))
        let e2 = try #require(d[13][0].log)
        #expect(e2.attributes[key: "title"] == .string("Payment failures ✗"))
        #expect(e2.attributes[key: "text"] == .string("3 cards declined\nretrying"))
        #expect(e2.timeMicros == 1_764_190_000_000_000)
        #expect(e2.severity == .error)
        #expect(e2.host == "10.0.0.9")
    }

    @Test func dogstatsdFixtureServiceChecks() throws {
        let d = try Fixture.decoded("dogstatsd")
        let c1 = try #require(d[14][0].log)
        #expect(c1.message == "cart.can_connect OK: fine")
        #expect(c1.severity == .info)
        #expect(c1.service == "cart")
        #expect(c1.attributes[key: "check"] == .string("cart.can_connect"))
        #expect(c1.attributes[key: "status"] == .int(0))
        #expect(c1.attributes[key: "message"] == .string("fine"))
        #expect(c1.attributes[key: "tags"] == .array(["db:main", "env:test", "service:cart"].map { .string($0) }))
        let c2 = try #require(d[15][0].log)
        #expect(c2.severity == .critical)
        #expect(c2.attributes[key: "status"] == .int(2))
        #expect(c2.attributes[key: "status_name"] == .string("CRITICAL"))
        #expect(c2.timeMicros == 1_764_190_000_000_000)
        #expect(c2.host == "pay-1")
        #expect(c2.attributes[key: "message"] == .string("gateway said m:502\nretry later"))
    }

    @Test func bufferedFixture() throws {
        let d = try Fixture.decoded("dogstatsd_buffered")
        #expect(d.map(\.count) == [26, 26, 10, 1])
        let all = d.flatMap { $0 }
        #expect(all.allSatisfy { $0.rejection == nil })
        let views = all.compactMap(\.metric).filter { $0.name == "cart.page.views" }
        let loads = all.compactMap(\.metric).filter { $0.name == "cart.page.load_ms" }
        #expect(views.count == 30 && views.allSatisfy { $0.value == 1 && $0.type == .counter })
        #expect(loads.map(\.value) == (100...129).map(Double.init))
        #expect(loads.allSatisfy { $0.type == .histogram })
        #expect(loads[0].tags == ["env:test", "page:p00", "service:cart"])
        let logs = all.compactMap(\.log)
        #expect(logs.count == 2)
        #expect(logs[0].message == "Deploy: cart v3" && logs[0].severity == .notice)
        #expect(logs[1].severity == .warning && logs[1].attributes[key: "status"] == .int(1))
        #expect(d[3][0].metric?.timestampMicros == 1_764_190_000_000_000)
    }

    @Test func telemetryFixture() throws {
        let d = try Fixture.decoded("dogstatsd_telemetry")
        #expect(d.map(\.count) == [1, 1, 1, 1, 11, 1])
        #expect(d[2][0].log?.message == "Deploy: cart v4")
        let tele = d[4].compactMap(\.metric)
        #expect(tele.count == 11)
        #expect(tele.first?.name == "datadog.dogstatsd.client.metrics" && tele.first?.value == 3)
        #expect(tele.first(where: { $0.name == "datadog.dogstatsd.client.bytes_sent" })?.value == 157)
        #expect(tele.allSatisfy { $0.tags.contains("client:py") && $0.service == "cart" })
        #expect(d[5][0].log?.attributes[key: "status"] == .int(0))
    }

    @Test func malformedEventsAndChecks() {
        let bad = [
            "_e{", "_e{5,3}:abc|def", "_e{3,10}:abc|def", "_e{3,3}:abcdef", "_e{x,3}:abc|def", "_e{0,0}:|",
            "_e{99999999999999999999,1}:a|b", "_e{3,3}:abc|def|d:soon", "_sc|", "_sc||0", "_sc|x|7", "_sc|x|",
            "_sc|x|0|d:-5", "_sc|x|01",
        ]
        for line in bad {
            #expect(Fixture.decode(line).map(\.rejection) == [.dogstatsdEvent], "\(line)")
        }
        let ok = Fixture.decode("_e{3,0}:abc|")
        #expect(ok.first?.log?.message == "abc")
        #expect(ok.first?.log?.service == "dogstatsd")
        #expect(Fixture.decode("_e{1,1}:a|b|s:nagios").first?.log?.service == "nagios")
        #expect(Fixture.decode("_sc|db|3|m:x\\\\ny").first?.log?.severity == .notice)
    }
}
