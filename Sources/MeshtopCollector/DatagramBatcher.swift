import Glibc
import MeshtopModel
import MeshtopNet
import MeshtopWire

/// Turns the datagrams of one UDP socket into `IngestChunk`s: drops those from sources outside `--allow`, decodes
/// the rest into the current chunk with rejects moved apart, and submits the chunk to the sink when the read cycle
/// ends or it holds `chunkLines` lines. The source address arrives as the kernel's raw `sockaddr` and is turned
/// into text (and checked against `--allow`) only when it differs from the previous datagram's: a busy socket
/// mostly hears the same few senders.
struct DatagramBatcher {
    let sink: IngestSink
    let allow: [CIDR]
    let listener: String
    /// A cycle's chunk is submitted early once it holds this many lines, so chunks stay small.
    static let chunkLines = 4_096
    private(set) var chunk = IngestChunk()
    private var lastSource: [UInt8] = []
    private var lastHost = ""
    private var lastPort = 0
    private var lastAllowed = true

    init(sink: IngestSink, allow: [CIDR], listener: String) {
        self.sink = sink
        self.allow = allow
        self.listener = listener
    }

    /// Adds one datagram from `source` (a `sockaddr_in` or `sockaddr_in6`) received at `now`. Returns whether the
    /// chunk is full and should be submitted before the next datagram.
    mutating func add(_ datagram: UnsafeRawBufferPointer, from source: UnsafeRawBufferPointer, at now: Int64) -> Bool {
        if !Self.same(source, lastSource) { learn(source) }
        guard lastAllowed else {
            chunk.denied += 1
            return false
        }
        if chunk.receivedAtMicros == 0 { chunk.receivedAtMicros = now }
        chunk.datagrams += 1
        chunk.bytes += datagram.count
        chunk.lines += LineCounter.count(datagram)
        let before = chunk.records.count
        WireDecoder.decode(
            datagram: datagram, context: DecodeContext(receivedAtMicros: now, sourceHost: lastHost),
            into: &chunk.records)
        separateRejects(from: before, at: now)
        return chunk.lines >= Self.chunkLines
    }

    /// Submits the chunk (if it holds anything) and starts a new one. Returns whether the queue took it.
    @discardableResult
    mutating func submit() -> Bool {
        guard !chunk.isEmpty else { return true }
        defer { chunk = IngestChunk() }
        return sink.submit(&chunk).accepted
    }

    private static func same(_ a: UnsafeRawBufferPointer, _ b: [UInt8]) -> Bool {
        guard a.count == b.count, let pa = a.baseAddress else { return a.count == b.count }
        return b.withUnsafeBytes { memcmp($0.baseAddress!, pa, a.count) == 0 }
    }

    private mutating func learn(_ source: UnsafeRawBufferPointer) {
        lastSource = Array(source)
        let parsed = Self.parse(source)
        lastHost = parsed?.host ?? ""
        lastPort = parsed?.port ?? 0
        lastAllowed = allow.isEmpty || (parsed.map { a in allow.contains { $0.contains(a.bytes16) } } ?? false)
    }

    /// A raw socket address's text form (as `inet_ntop` writes it), port and 16-byte (IPv4-mapped) form.
    static func parse(_ source: UnsafeRawBufferPointer) -> (host: String, port: Int, bytes16: [UInt8])? {
        guard source.count >= MemoryLayout<sa_family_t>.size, let base = source.baseAddress else { return nil }
        let family = Int32(source.loadUnaligned(as: sa_family_t.self))
        let port = Int(UInt16(source[2]) << 8 | UInt16(source[3]))
        let bytes: [UInt8]
        switch family {
        case AF_INET where source.count >= MemoryLayout<sockaddr_in>.size:
            bytes = Array(source[4..<8])
        case AF_INET6 where source.count >= MemoryLayout<sockaddr_in6>.size:
            bytes = Array(source[8..<24])
        default:
            return nil
        }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let offset = family == AF_INET ? 4 : 8
        guard inet_ntop(family, base + offset, &text, socklen_t(text.count)) != nil else { return nil }
        let host = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return (host, port, bytes.count == 4 ? CIDR.mapped(bytes) : bytes)
    }

    /// Rejects are rare: move them out of the record list with the source they came from.
    private mutating func separateRejects(from start: Int, at now: Int64) {
        guard
            chunk.records[start...].contains(where: {
                if case .rejected = $0 { true } else { false }
            })
        else { return }
        var kept: [Decoded] = []
        let source = "\(listener) from \(HostPort(host: lastHost, port: lastPort))"
        for record in chunk.records[start...] {
            if case .rejected(let reason, let sample) = record {
                chunk.rejects.append(RejectedLine(atMicros: now, reason: reason, source: source, sample: sample))
            } else {
                kept.append(record)
            }
        }
        chunk.records.replaceSubrange(start..., with: kept)
    }
}
