import Foundation
import Glibc
import MeshtopModel
import MeshtopNet
import Testing

@testable import MeshtopCollector

/// `DatagramBatcher` on datagrams and raw source addresses built here, and `UDPReceiver` on real loopback sockets
/// (backpressure, stop, bind errors). SpanIngestTests and the other collector tests cover the whole listener.
@Suite struct UDPReceiverTests {
    static let now: Int64 = 1_790_000_000_000_000

    /// A `sockaddr_in` or `sockaddr_in6` for a numeric host, as the kernel hands it to `recvmmsg`.
    static func sockaddr(_ host: String, port: Int) -> [UInt8] {
        if host.contains(":") {
            var a = sockaddr_in6()
            a.sin6_family = sa_family_t(AF_INET6)
            a.sin6_port = UInt16(port).bigEndian
            _ = inet_pton(AF_INET6, host, &a.sin6_addr)
            return withUnsafeBytes(of: &a) { Array($0) }
        }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = UInt16(port).bigEndian
        _ = inet_pton(AF_INET, host, &a.sin_addr)
        return withUnsafeBytes(of: &a) { Array($0) }
    }

    func add(_ batcher: inout DatagramBatcher, _ text: String, from host: String = "127.0.0.1", port: Int = 5000)
        -> Bool
    {
        let source = Self.sockaddr(host, port: port)
        return Array(text.utf8).withUnsafeBytes { data in
            source.withUnsafeBytes { batcher.add(data, from: $0, at: Self.now) }
        }
    }

    func drain(_ queue: IngestQueue) -> [IngestChunk] { queue.take(minimum: 0, deadline: 0).chunks }

    @Test func aCycleBecomesOneChunkWithRecordsAndRejectsApart() throws {
        let queue = IngestQueue(capacity: 1_000)
        var batcher = DatagramBatcher(sink: IngestSink(queue: queue, governance: nil), allow: [], listener: "udp")
        #expect(!add(&batcher, "checkout.orders:1|c\ncheckout.latency:12|ms"))
        #expect(!add(&batcher, "this is not a wire format {", from: "::1", port: 6000))
        #expect(drain(queue).isEmpty, "nothing is handed over before the cycle ends")
        batcher.submit()
        let chunks = drain(queue)
        #expect(chunks.count == 1)
        let chunk = try #require(chunks.first)
        #expect(chunk.datagrams == 2)
        #expect(chunk.lines == 3)
        #expect(chunk.receivedAtMicros == Self.now)
        #expect(chunk.records.count == 2)
        #expect(chunk.records.allSatisfy { if case .metric = $0 { true } else { false } })
        #expect(chunk.rejects.count == 1)
        #expect(chunk.rejects.first?.source == "udp from [::1]:6000")
        batcher.submit()
        #expect(drain(queue).isEmpty, "an empty chunk is not submitted")
    }

    @Test func theSourceHostIsTheHostOfLogsThatNameNone() throws {
        let queue = IngestQueue(capacity: 1_000)
        var batcher = DatagramBatcher(sink: IngestSink(queue: queue, governance: nil), allow: [], listener: "udp")
        let line = #"{"service":"checkout","level":"info","msg":"paid"}"#
        _ = add(&batcher, line, from: "10.1.2.3")
        _ = add(&batcher, line, from: "10.1.2.3", port: 5001)
        _ = add(&batcher, line, from: "fe80::1")
        batcher.submit()
        let chunk = try #require(drain(queue).first)
        let hosts = chunk.records.compactMap { record -> String? in
            if case .log(let log) = record { log.host } else { nil }
        }
        #expect(hosts == ["10.1.2.3", "10.1.2.3", "fe80::1"])
        let parsed = Self.sockaddr("10.1.2.4", port: 514).withUnsafeBytes { DatagramBatcher.parse($0) }
        #expect(parsed?.host == "10.1.2.4")
        #expect(parsed?.port == 514)
        #expect(parsed?.bytes16 == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 4])
    }

    @Test func datagramsFromOutsideAllowAreCountedNotDecoded() throws {
        let queue = IngestQueue(capacity: 1_000)
        var batcher = DatagramBatcher(
            sink: IngestSink(queue: queue, governance: nil), allow: ["10.0.0.0/8", "fd00::/8"].compactMap(CIDR.init),
            listener: "udp")
        _ = add(&batcher, "checkout.orders:1|c", from: "192.168.1.9")
        _ = add(&batcher, "checkout.orders:2|c", from: "10.1.2.3")
        _ = add(&batcher, "checkout.orders:3|c", from: "fd12::7")
        _ = add(&batcher, "checkout.orders:4|c", from: "2001:db8::1")
        batcher.submit()
        let chunks = drain(queue)
        #expect(chunks.count == 1, "denied datagrams are only counted")
        #expect(chunks.first?.records.count == 2)
        let counts = queue.drainCounts()
        #expect(counts.denied == 2)
        #expect(counts.datagrams == 2)
    }

    @Test func aFullChunkAsksToBeSubmittedEarly() {
        let queue = IngestQueue(capacity: 100_000)
        var batcher = DatagramBatcher(sink: IngestSink(queue: queue, governance: nil), allow: [], listener: "udp")
        let datagram = Array(repeating: "checkout.orders:1|c", count: 1_024).joined(separator: "\n")
        #expect((0..<3).map { _ in add(&batcher, datagram) } == [false, false, false])
        #expect(add(&batcher, datagram), "4,096 lines")
    }

    /// Polls `condition` every 10 ms for up to 30 s.
    func eventually(_ condition: () -> Bool) -> Bool {
        for _ in 0..<3_000 {
            if condition() { return true }
            usleep(10_000)
        }
        return false
    }

    @Test func aQueueAtItsHighWatermarkStopsReadingUntilTheWriterDrainsIt() throws {
        let queue = IngestQueue(capacity: 8)
        let receiver = try UDPReceiver.bind(HostPort(host: "127.0.0.1", port: 0), reusePort: false)
        defer { receiver.stop() }
        receiver.start(
            sink: IngestSink(queue: queue, governance: nil), allow: [], reading: UDPReceiver.Reading(),
            wallClock: .pinned(at: Self.now), name: "test-udp")
        let sender = try UDPSender(target: receiver.localAddress)
        for i in 0..<6 {  // one chunk each: the next is sent once the last is queued
            #expect(sender.send(Array("checkout.orders:\(i)|c".utf8)))
            #expect(eventually { queue.depth == i + 1 })
        }
        #expect(eventually { queue.pausedReaders == 1 }, "6 of 8 lines is the high watermark")
        for i in 0..<3 { #expect(sender.send(Array("checkout.orders:\(i)|c".utf8))) }
        usleep(200_000)
        #expect(queue.depth == 6, "paused: the three datagrams wait in the kernel")
        _ = queue.take(minimum: 0, maximum: 1, deadline: 0)
        usleep(100_000)
        #expect(queue.depth == 5, "5 lines queued: above the low watermark (4), still paused")
        _ = queue.take(minimum: 0, deadline: 0)
        #expect(eventually { queue.depth == 3 }, "drained: reading resumes and takes the waiting datagrams")
        #expect(queue.pausedReaders == 0)
        #expect(queue.drainCounts().dropped == 0)
    }

    @Test func stopEndsTheThreadAndFreesThePort() throws {
        let queue = IngestQueue(capacity: 1_000)
        let receiver = try UDPReceiver.bind(HostPort(host: "127.0.0.1", port: 0), reusePort: false)
        receiver.start(
            sink: IngestSink(queue: queue, governance: nil), allow: [],
            reading: UDPReceiver.Reading(coalesceMicros: 1_000, coalesceBelow: 64), wallClock: .pinned(at: Self.now),
            name: "test-udp")
        let address = receiver.localAddress
        #expect(address.host == "127.0.0.1")
        #expect(address.port > 0)
        #expect(throws: CollectorError.self) { try UDPReceiver.bind(address, reusePort: false) }
        #expect(try UDPSender(target: address).send(Array("checkout.orders:1|c".utf8)))
        #expect(eventually { queue.depth == 1 })
        receiver.stop()
        let again = try UDPReceiver.bind(address, reusePort: false)
        again.stop()
    }

    @Test func aNameThatDoesNotResolveIsABindError() {
        #expect(throws: CollectorError.self) {
            try UDPReceiver.bind(HostPort(host: "no-such-host.invalid", port: 0), reusePort: false)
        }
    }
}
