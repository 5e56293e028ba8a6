import Foundation
import MeshtopModel
import MeshtopNet
import Testing

@testable import MeshtopCollector

/// `--reuse-port`: several collectors on one host listen on the same ports, and the kernel spreads the senders.
@Suite struct ReusePortTests {
    @Test func twoCollectorsShareAPortAndTogetherKeepEveryLine() async throws {
        let first = try await Harness { config in
            config.reusePort = true
            config.otlpHTTP = HostPort(host: "127.0.0.1", port: 0)
        }
        let port = first.lineAddress.port
        let otlp = try #require(first.collector.receiverAddresses["otlp"])
        let second = try await Harness { config in
            config.reusePort = true
            config.listen = [HostPort(host: "127.0.0.1", port: port)]
            config.otlpHTTP = otlp
        }
        #expect(second.lineAddress.port == port)
        #expect(second.collector.receiverAddresses["otlp"]?.port == otlp.port)

        // 32 senders, each its own source port: the kernel hashes each to one of the two sockets.
        let senders = try (0..<32).map { _ in try UDPSender(target: first.lineAddress) }
        for (s, sender) in senders.enumerated() {
            for i in 0..<10 { #expect(sender.send(Array("level=info service=s\(s) msg=\"line \(i)\"".utf8))) }
        }
        func received(_ h: Harness) -> Int64 { h.collector.statistics["received_datagrams"] ?? 0 }
        try await first.waitUntil { received(first) + received(second) >= 320 }
        await first.collector.stop()
        await second.collector.stop()
        let kept = try [first, second].map { try $0.rows("SELECT count(*) AS n FROM logs")[0]["n"] as Int64 }
        #expect(kept[0] + kept[1] == 320)
        // Both got a share: with 32 senders, all on one socket has a chance of 2 in 2^32.
        #expect(kept[0] > 0 && kept[1] > 0)
        #expect(kept[0] % 10 == 0 && kept[1] % 10 == 0, "one sender's lines all reach one collector")
    }

    @Test func aCollectorWithoutItCannotBeJoinedOrJoin() async throws {
        let plain = try await Harness()
        let port = plain.lineAddress.port
        await #expect(throws: CollectorError.self) {
            _ = try await Harness { config in
                config.reusePort = true
                config.listen = [HostPort(host: "127.0.0.1", port: port)]
            }
        }
        await plain.collector.stop()
        let sharing = try await Harness { config in config.reusePort = true }
        let shared = sharing.lineAddress.port
        await #expect(throws: CollectorError.self) {
            _ = try await Harness { config in config.listen = [HostPort(host: "127.0.0.1", port: shared)] }
        }
        await sharing.collector.stop()
    }

    @Test func aSharedGRPCPortIsRefusedWithWhatToDo() async throws {
        let first = try await Harness { config in
            config.reusePort = true
            config.otlpGRPC = HostPort(host: "127.0.0.1", port: 0)
        }
        let grpc = try #require(first.collector.receiverAddresses["otlp-grpc"])
        do {
            _ = try await Harness { config in
                config.reusePort = true
                config.listen = [first.lineAddress]
                config.otlpGRPC = grpc
            }
            Issue.record("a second gRPC receiver bound the same port")
        } catch let error as CollectorError {
            #expect("\(error)".contains("give each collector its own --otlp-grpc"), "\(error)")
        }
        // Without the flag the same conflict says only what any port in use says (not grpc-swift's wrapper).
        do {
            _ = try await Harness { config in config.otlpGRPC = grpc }
            Issue.record("a second gRPC receiver bound the same port")
        } catch let error as CollectorError {
            #expect("\(error)".contains("address already in use"), "\(error)")
            #expect(!"\(error)".contains("--reuse-port"), "\(error)")
        }
        await first.collector.stop()
    }
}
