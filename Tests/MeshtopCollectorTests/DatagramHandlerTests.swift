import MeshtopModel
import NIOCore
import NIOEmbedded
import Testing

@testable import MeshtopCollector

/// `DatagramHandler` on an `EmbeddedChannel`: datagrams written inbound, chunks read back from the queue, no
/// sockets (the loopback tests in SpanIngestTests cover the real listener).
@Suite struct DatagramHandlerTests {
    static let now: Int64 = 1_790_000_000_000_000

    func channel(allow: [String] = [], capacity: Int = 1_000, coalesceMicros: Int64 = 0, coalesceBelow: Int = 0)
        throws -> (EmbeddedChannel, IngestQueue)
    {
        let queue = IngestQueue(capacity: capacity)
        let handler = DatagramHandler(
            sink: IngestSink(queue: queue, governance: nil), allow: allow.compactMap(CIDR.init), listener: "udp",
            wallClock: .pinned(at: Self.now), coalesceMicros: coalesceMicros, coalesceBelow: coalesceBelow)
        return (EmbeddedChannel(handler: handler), queue)
    }

    func datagram(_ text: String, from host: String = "127.0.0.1", port: Int = 5000) throws
        -> AddressedEnvelope<ByteBuffer>
    {
        AddressedEnvelope(
            remoteAddress: try SocketAddress(ipAddress: host, port: port), data: ByteBuffer(string: text))
    }

    func drain(_ queue: IngestQueue) -> [IngestChunk] {
        queue.take(minimum: 0, deadline: 0).chunks
    }

    @Test func aReadBurstBecomesOneChunkWithRecordsAndRejectsApart() throws {
        let (channel, queue) = try channel()
        // One read burst: two reads, then one read-complete (`writeInbound` would complete each read).
        channel.pipeline.fireChannelRead(try datagram("checkout.orders:1|c\ncheckout.latency:12|ms"))
        channel.pipeline.fireChannelRead(try datagram("this is not a wire format {"))
        #expect(drain(queue).isEmpty, "nothing is handed over before the read burst ends")
        channel.pipeline.fireChannelReadComplete()
        let chunks = drain(queue)
        #expect(chunks.count == 1)
        let chunk = try #require(chunks.first)
        #expect(chunk.datagrams == 2)
        #expect(chunk.lines == 3)
        #expect(chunk.receivedAtMicros == Self.now)
        #expect(chunk.records.count == 2)
        #expect(chunk.records.allSatisfy { if case .metric = $0 { true } else { false } })
        #expect(chunk.rejects.count == 1)
        #expect(chunk.rejects.first?.source == "udp from 127.0.0.1:5000")
        #expect(try channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self) == nil, "a receiver never answers")
    }

    /// Counts the `read()` calls that reach the socket (it sits between the handler and the channel's head).
    final class ReadProbe: ChannelOutboundHandler {
        typealias OutboundIn = AddressedEnvelope<ByteBuffer>
        var reads = 0
        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    @Test func aQueueAtItsHighWatermarkStopsReadsUntilTheWriterDrainsIt() throws {
        let (channel, queue) = try channel(capacity: 8)
        let probe = ReadProbe()
        try channel.pipeline.syncOperations.addHandler(probe, position: .first)
        channel.read()
        #expect(probe.reads == 1)
        for lines in [1, 1, 4] {  // three read bursts, three chunks
            let burst = (0..<lines).map { "checkout.orders:\($0)|c" }.joined(separator: "\n")
            channel.pipeline.fireChannelRead(try datagram(burst))
            channel.pipeline.fireChannelReadComplete()
            channel.read()
        }
        #expect(queue.depth == 6, "6 of 8 lines is the high watermark")
        #expect(probe.reads == 3, "the read after the third burst is held back")
        _ = queue.take(minimum: 0, maximum: 1, deadline: 0)
        channel.embeddedEventLoop.run()
        #expect(probe.reads == 3, "5 lines queued: above the low watermark (4)")
        _ = queue.take(minimum: 0, deadline: 0)
        channel.embeddedEventLoop.run()
        #expect(probe.reads == 4, "drained: the held-back read goes out")
        #expect(queue.drainCounts().dropped == 0)
    }

    @Test func aSmallReadCycleDelaysTheNextReadAndAFullOneDoesNot() throws {
        let (channel, queue) = try channel(coalesceMicros: 1_000, coalesceBelow: 3)
        let probe = ReadProbe()
        try channel.pipeline.syncOperations.addHandler(probe, position: .first)
        channel.read()
        #expect(probe.reads == 1, "the first read goes out at once")
        // A cycle of two datagrams (below 3): the next read waits 1 ms, and asking again does not add a read.
        for _ in 0..<2 { channel.pipeline.fireChannelRead(try datagram("checkout.orders:1|c")) }
        channel.pipeline.fireChannelReadComplete()
        channel.read()
        channel.read()
        #expect(probe.reads == 1)
        #expect(drain(queue).first?.lines == 2, "the cycle's lines are handed over without waiting")
        channel.embeddedEventLoop.advanceTime(by: .microseconds(999))
        #expect(probe.reads == 1)
        channel.embeddedEventLoop.advanceTime(by: .microseconds(1))
        #expect(probe.reads == 2, "the delayed read goes out once")
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(5))
        #expect(probe.reads == 2)
        // A cycle of three: the socket had more, so read again at once.
        for _ in 0..<3 { channel.pipeline.fireChannelRead(try datagram("checkout.orders:1|c")) }
        channel.pipeline.fireChannelReadComplete()
        channel.read()
        #expect(probe.reads == 3)
    }

    @Test func datagramsFromOutsideAllowAreCountedNotDecoded() throws {
        let (channel, queue) = try channel(allow: ["10.0.0.0/8"])
        try channel.writeInbound(try datagram("checkout.orders:1|c", from: "192.168.1.9"))
        try channel.writeInbound(try datagram("checkout.orders:2|c", from: "10.1.2.3"))
        let chunks = drain(queue)
        #expect(chunks.count == 1, "the denied datagram is only counted")
        #expect(chunks.first?.records.count == 1)
        let counts = queue.drainCounts()
        #expect(counts.denied == 1)
        #expect(counts.datagrams == 1)
    }
}
