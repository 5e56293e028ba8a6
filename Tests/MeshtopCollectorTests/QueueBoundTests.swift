import MeshtopModel
import Synchronization
import Testing

@testable import MeshtopCollector

/// The queue between receivers and the writer is bounded by received bytes as well as lines (issue 15 item 3):
/// a flood of 64 KB lines is dropped and counted at the byte bound long before the line bound.
@Suite struct QueueBoundTests {
    static func chunk(lines: Int, bytes: Int) -> IngestChunk {
        var c = IngestChunk()
        c.records = Array(repeating: .log(LogRecord(timeMicros: 1, service: "s", message: "m")), count: lines)
        c.datagrams = lines
        c.lines = lines
        c.bytes = bytes
        return c
    }

    @Test func largeLinesHitTheByteBoundFirstAndAreCountedAsDropped() {
        let queue = IngestQueue(capacity: 100_000, capacityBytes: 1 << 20)
        let big = Self.chunk(lines: 4, bytes: 4 * 65_000)  // four 65 KB lines
        #expect(queue.offer(big).accepted)
        #expect(queue.offer(big).accepted)
        #expect(queue.offer(big).accepted)
        #expect(queue.offer(big).accepted)  // 1,040,000 bytes: still within 1 MiB
        #expect(!queue.offer(big).accepted)  // over the byte bound, far below the line bound
        #expect(queue.depth == 16)
        #expect(queue.drainCounts().dropped == 4)
        let resumed = Resumed()
        #expect(queue.pauseReading { resumed.count.add(1, ordering: .relaxed) }, "over the bytes' high watermark")
        _ = queue.take(minimum: 1, maximum: 12, deadline: 0)
        #expect(resumed.count.load(ordering: .relaxed) == 1, "4 lines / 260 KB left of 1 MiB: read again")
        #expect(queue.offer(big).accepted, "room again once the writer took its batch")
    }

    final class Resumed: Sendable { let count = Atomic(0) }

    @Test func anEmptyQueueTakesOneChunkOfAnySizeSoNoRequestIsRefusedForEver() {
        let queue = IngestQueue(capacity: 10, capacityBytes: 1_000)
        #expect(queue.offer(Self.chunk(lines: 50, bytes: 5_000)).accepted)
        #expect(!queue.offer(Self.chunk(lines: 1, bytes: 10)).accepted)
        #expect(!queue.hasRoom(for: 1))
        _ = queue.take(minimum: 1, deadline: 0)
        #expect(queue.hasRoom(for: 1))
    }

    @Test func refusedRequestsAreNeitherCountedNorDropped() {
        let queue = IngestQueue(capacity: 10, capacityBytes: 1_000)
        #expect(queue.offer(Self.chunk(lines: 8, bytes: 800)).accepted)
        var request = Self.chunk(lines: 5, bytes: 500)
        request.datagrams = 0
        request.counters = ["otlp_http.items": 5]
        #expect(!queue.offer(request, refuse: true).accepted)
        let counts = queue.drainCounts()
        #expect(counts.dropped == 0)
        #expect(counts.lines == 8)
        #expect(counts.receivers["otlp_http.items"] == nil)
    }

    @Test func thePeakIsReportedOnceForTheMemoryTrim() {
        let queue = IngestQueue(capacity: 100, capacityBytes: 10_000_000)
        #expect(queue.offer(Self.chunk(lines: 2, bytes: 9_000_000)).accepted)
        _ = queue.take(minimum: 1, deadline: 0)
        #expect(queue.takePeakBytes() == 9_000_000)
        #expect(queue.takePeakBytes() == 0)
    }
}
