import Foundation
import MeshtopModel
import MeshtopNet
import Synchronization
import Testing

@testable import MeshtopCollector

@Suite struct AddressTests {
    @Test func hostPortParsing() {
        #expect(HostPort("127.0.0.1:8125") == HostPort(host: "127.0.0.1", port: 8125))
        #expect(HostPort("[::1]:6831") == HostPort(host: "::1", port: 6831))
        #expect(HostPort(":9000") == HostPort(host: "127.0.0.1", port: 9000))
        #expect(HostPort("localhost:0")?.port == 0)
        #expect(HostPort("::1:80") == nil)
        #expect(HostPort("host:99999") == nil)
        #expect(HostPort("nohost") == nil)
        #expect(HostPort(host: "::1", port: 1).description == "[::1]:1")
    }

    @Test func cidrMatchesIPv4AndIPv6() throws {
        let net = try #require(CIDR("10.1.0.0/16"))
        #expect(net.contains(CIDR.mapped([10, 1, 200, 3])))
        #expect(!net.contains(CIDR.mapped([10, 2, 0, 1])))
        let host = try #require(CIDR("192.168.1.7"))
        #expect(host.contains(CIDR.mapped([192, 168, 1, 7])))
        #expect(!host.contains(CIDR.mapped([192, 168, 1, 8])))
        let v6 = try #require(CIDR("fd00::/8"))
        #expect(v6.contains(try #require(CIDR.parseIPv6("fd12:3456::1"))))
        #expect(!v6.contains(try #require(CIDR.parseIPv6("::1"))))
        #expect(CIDR.parseIPv6("::ffff:1.2.3.4") == CIDR.mapped([1, 2, 3, 4]))
        #expect(try #require(CIDR("0.0.0.0/0")).contains(CIDR.mapped([8, 8, 8, 8])))
        #expect(CIDR("10.0.0.0/33") == nil)
        #expect(CIDR("300.1.1.1") == nil)
        #expect(CIDR("fe80::1::2") == nil)
    }
}

@Suite struct QueueAndPackingTests {
    @Test func lineCounterFollowsTheDecodersSplit() {
        func count(_ s: String) -> Int { Array(s.utf8).withUnsafeBytes { LineCounter.count($0) } }
        #expect(count("a:1|c") == 1)
        #expect(count("a:1|c\nb:2|c\n") == 2)
        #expect(count("a:1|c\r\n\n\nb:2|c") == 2)
        #expect(count("<14>hello\u{0}") == 1)
        #expect(count("\u{0}\u{0}") == 0)
        #expect([UInt8]([0x82, 0x0A, 0x0A]).withUnsafeBytes { LineCounter.count($0) } == 1)
    }

    @Test func aFullQueueDropsAndCountsWithoutBlocking() {
        let queue = IngestQueue(capacity: 10)
        var chunk = IngestChunk()
        chunk.records = Array(repeating: .log(LogRecord(timeMicros: 1, service: "s", message: "m")), count: 8)
        chunk.datagrams = 2
        chunk.lines = 8
        #expect(queue.offer(chunk).accepted)
        #expect(!queue.offer(chunk).accepted)
        #expect(queue.depth == 8)
        let counts = queue.drainCounts()
        #expect(counts.datagrams == 4)
        #expect(counts.lines == 16)
        #expect(counts.dropped == 8)
        let taken = queue.take(minimum: 1, deadline: 0)
        #expect(taken.chunks.count == 1)
        #expect(queue.depth == 0)
        #expect(queue.offer(chunk).accepted)
        queue.close()
        #expect(!queue.offer(chunk).accepted)
        #expect(queue.take(minimum: 1_000, deadline: Int64.max).closed)
    }

    @Test func listenersPauseAtTheHighWatermarkAndResumeAtTheLowOne() {
        let queue = IngestQueue(capacity: 100)
        final class Count: Sendable { let value = Mutex(0) }
        let resumed = Count()
        func chunk(_ lines: Int) -> IngestChunk {
            var c = IngestChunk()
            c.records = Array(repeating: .log(LogRecord(timeMicros: 1, service: "s", message: "m")), count: lines)
            c.datagrams = lines
            c.lines = lines
            return c
        }
        #expect(queue.highWater == 75 && queue.lowWater == 50)
        queue.offer(chunk(74))
        #expect(!queue.pauseReading { resumed.value.withLock { $0 += 1 } }, "below the high watermark: keep reading")
        queue.offer(chunk(1))
        #expect(queue.pauseReading { resumed.value.withLock { $0 += 1 } })
        #expect(queue.pausedReaders == 1)
        queue.offer(chunk(10))
        _ = queue.take(minimum: 0, maximum: 74, deadline: 0)
        #expect(queue.depth == 11)
        #expect(resumed.value.withLock { $0 } == 1, "woken once the queue is at its low watermark")
        #expect(queue.pausedReaders == 0)
        #expect(queue.drainCounts().pauses == 1)
        queue.offer(chunk(80))
        #expect(queue.pauseReading { resumed.value.withLock { $0 += 1 } })
        _ = queue.take(minimum: 0, maximum: 11, deadline: 0)
        #expect(resumed.value.withLock { $0 } == 1, "80 lines still queued: still paused")
        queue.close()
        #expect(resumed.value.withLock { $0 } == 2, "closing wakes paused listeners")
    }

    @Test func kernelDropsAreReadFromProcNetUDPRows() {
        let text = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
             1234: 0100007F:6274 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 991 2 0000000000000000 17
             1235: 0100007F:1F40 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 992 2 0000000000000000 0
            """
        #expect(
            KernelDropCounter.parse(text) == [
                KernelDropCounter.Row(port: 0x6274, inode: 991, drops: 17),
                KernelDropCounter.Row(port: 8000, inode: 992, drops: 0),
            ])
    }

    @Test func aBacklogIsTakenInBoundedBatches() {
        let queue = IngestQueue(capacity: 100)
        var chunk = IngestChunk()
        chunk.records = Array(repeating: .log(LogRecord(timeMicros: 1, service: "s", message: "m")), count: 8)
        chunk.datagrams = 1
        chunk.lines = 8
        for _ in 0..<4 { #expect(queue.offer(chunk).accepted) }
        queue.close()
        let first = queue.take(minimum: 1, maximum: 10, deadline: 0)
        #expect(first.chunks.count == 1)
        #expect(!first.closed)
        let second = queue.take(minimum: 1, maximum: 16, deadline: 0)
        #expect(second.chunks.count == 2)
        #expect(queue.depth == 8)
        let last = queue.take(minimum: 1, maximum: 16, deadline: 0)
        #expect(last.chunks.count == 1)
        #expect(last.closed)
    }

    @Test func packerJoinsLinesUpTo1432BytesAndSendsLongLinesAlone() {
        var packer = DatagramPacker()
        var out: [[UInt8]] = []
        let line = [UInt8](repeating: 0x61, count: 700)
        packer.add(line) { out.append($0) }
        packer.add(line) { out.append($0) }
        packer.add(line) { out.append($0) }
        packer.add([UInt8](repeating: 0x62, count: 3_000)) { out.append($0) }
        packer.add([UInt8](repeating: 0x63, count: 70_000)) { out.append($0) }
        packer.flush { out.append($0) }
        #expect(out.map(\.count) == [1_401, 700, 3_000])
        #expect(out[0][700] == 0x0A)
        #expect(packer.oversized == 1)
    }
}
