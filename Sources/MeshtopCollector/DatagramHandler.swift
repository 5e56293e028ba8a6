import MeshtopModel
import MeshtopNet
import MeshtopWire
import NIOCore

/// Reads datagrams on the event loop, drops those from sources outside `--allow`, decodes them, hands one
/// `IngestChunk` per read burst to the queue and feeds the accepted records to governance. Decoding and
/// governance here keep the writer thread free for SQLite: on two cores the event loop and the writer each get one.
///
/// Backpressure: when the queue reaches its high watermark after a hand-over, the handler holds back the channel's
/// next `read()` (NIO then stops polling the socket) until the writer has drained the queue to its low watermark.
/// Meanwhile datagrams wait in the kernel's receive buffer and, once that is full, the kernel drops them (counted
/// as `dropped.kernel`): overload costs no CPU here, which stays with the writer.
final class DatagramHandler: ChannelDuplexHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundIn = AddressedEnvelope<ByteBuffer>

    private let sink: IngestSink
    private var queue: IngestQueue { sink.queue }
    private let allow: [CIDR]
    private let listener: String
    private let wallClock: WallClock
    /// A burst is handed over early once it holds this many lines, so chunks stay small.
    private let chunkLines = 4_096
    private var chunk = IngestChunk()
    private var lastAddress: SocketAddress?
    private var lastHost = ""
    private var lastAllowed = true
    /// Reads are held back (the queue is at its high watermark); `readPending`: a `read()` arrived meanwhile.
    private(set) var paused = false
    private var readPending = false
    /// Read coalescing: after a read cycle that found fewer than `coalesceBelow` datagrams, the next read waits
    /// `coalesceMicros` (0: never), so the kernel gathers datagrams for one larger cycle instead of waking the loop
    /// for every few (docs/collector.md, "Reads are coalesced").
    private var coalesceMicros: Int64
    private var coalesceBelow: Int
    private var cycleDatagrams = 0
    private var lastCycle = Int.max
    private var readScheduled = false

    init(
        sink: IngestSink, allow: [CIDR], listener: String, wallClock: WallClock, coalesceMicros: Int64 = 0,
        coalesceBelow: Int = 0
    ) {
        self.wallClock = wallClock
        self.sink = sink
        self.allow = allow
        self.listener = listener
        self.coalesceMicros = coalesceMicros
        self.coalesceBelow = coalesceBelow
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        cycleDatagrams += 1
        if envelope.remoteAddress != lastAddress { learn(envelope.remoteAddress) }
        guard lastAllowed else {
            chunk.denied += 1
            return
        }
        let now = wallClock.micros()
        if chunk.receivedAtMicros == 0 { chunk.receivedAtMicros = now }
        chunk.datagrams += 1
        let before = chunk.records.count
        chunk.bytes += envelope.data.readableBytes
        envelope.data.withUnsafeReadableBytes { bytes in
            chunk.lines += LineCounter.count(bytes)
            WireDecoder.decode(
                datagram: bytes, context: DecodeContext(receivedAtMicros: now, sourceHost: lastHost),
                into: &chunk.records)
        }
        separateRejects(from: before, at: now)
        if chunk.lines >= chunkLines { handOver(context) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        lastCycle = cycleDatagrams
        cycleDatagrams = 0
        handOver(context)
        context.fireChannelReadComplete()
    }

    /// Turns read coalescing off (on the event loop).
    func readAtOnce() {
        coalesceMicros = 0
        coalesceBelow = 0
    }

    /// Holds the next read back while paused, and for `coalesceMicros` after a small read cycle.
    func read(context: ChannelHandlerContext) {
        if paused {
            readPending = true
        } else if lastCycle < coalesceBelow {
            guard !readScheduled else { return }
            readScheduled = true
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: .microseconds(coalesceMicros)) {
                let (handler, context) = bound.value
                handler.readScheduled = false
                handler.lastCycle = .max
                handler.read(context: context)
            }
        } else {
            context.read()
        }
    }

    /// The writer drained the queue: read again.
    private func resume(_ context: ChannelHandlerContext) {
        guard paused else { return }
        paused = false
        if readPending {
            readPending = false
            context.read()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A UDP read error (e.g. ICMP-reported) concerns one datagram; the listener keeps running.
    }

    private func handOver(_ context: ChannelHandlerContext) {
        guard !chunk.isEmpty else { return }
        sink.submit(&chunk)
        chunk = IngestChunk()
        guard !paused else { return }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let loop = context.eventLoop
        paused = queue.pauseReading {
            loop.execute { bound.value.0.resume(bound.value.1) }
        }
    }

    /// Rejects are rare: move them out of the record list with the source they came from.
    private func separateRejects(from start: Int, at now: Int64) {
        var i = start
        var hasReject = false
        while i < chunk.records.count {
            if case .rejected = chunk.records[i] {
                hasReject = true
                break
            }
            i += 1
        }
        guard hasReject else { return }
        var kept: [Decoded] = []
        for record in chunk.records[start...] {
            if case .rejected(let reason, let sample) = record {
                let source = "\(listener) from \(sourceText)"
                chunk.rejects.append(RejectedLine(atMicros: now, reason: reason, source: source, sample: sample))
            } else {
                kept.append(record)
            }
        }
        chunk.records.replaceSubrange(start..., with: kept)
    }

    private var sourceText: String {
        guard let a = lastAddress else { return "?" }
        return HostPort(host: lastHost, port: a.port ?? 0).description
    }

    private func learn(_ address: SocketAddress) {
        lastAddress = address
        lastHost = address.ipAddress ?? ""
        lastAllowed = allow.isEmpty || Self.isAllowed(address, by: allow)
    }

    /// The source's 16-byte (IPv4-mapped) form checked against every allowed network.
    static func isAllowed(_ address: SocketAddress, by allow: [CIDR]) -> Bool {
        var bytes: [UInt8]
        switch address {
        case .v4(let a):
            let raw = a.address.sin_addr.s_addr.bigEndian
            bytes = [UInt8](repeating: 0, count: 10) + [0xff, 0xff]
            bytes += [UInt8(raw >> 24), UInt8((raw >> 16) & 0xff), UInt8((raw >> 8) & 0xff), UInt8(raw & 0xff)]
        case .v6(let a):
            var addr = a.address.sin6_addr
            bytes = withUnsafeBytes(of: &addr) { Array($0) }
        default:
            return false
        }
        return allow.contains { $0.contains(bytes) }
    }
}
