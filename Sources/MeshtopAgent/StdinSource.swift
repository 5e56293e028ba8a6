#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard input (or any descriptor) as a source of lines, read without blocking the loop.
final class StdinSource {
    let descriptor: Int32
    let service: String
    private(set) var ended = false
    private var offset: Int64 = 0
    private var assembler: RecordAssembler

    init(descriptor: Int32, service: String, maxLine: Int, rule: MultilineRule) {
        self.descriptor = descriptor
        self.service = service
        assembler = RecordAssembler(maxLine: maxLine, rule: rule)
    }

    /// Reads what is available now; at end of input the last partial line and pending record are shipped.
    func pump(buffer: inout [UInt8], now: UInt64, stats: inout AgentStats, into out: inout [Record]) -> Int {
        guard !ended, waitReadable(timeoutNanos: 0) else { return 0 }
        let n = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if n < 0 && (errno == EINTR || errno == EAGAIN) { return 0 }
        guard n > 0 else {
            ended = true
            assembler.finish(endOffset: offset, stats: &stats, into: &out)
            return 0
        }
        let base = offset
        offset += Int64(n)
        buffer.withUnsafeBytes { raw in
            let chunk = UnsafeRawBufferPointer(rebasing: raw[0..<n])
            assembler.feed(chunk, base: base, now: now, stats: &stats, into: &out)
        }
        return n
    }

    /// When the record waiting for continuation lines got its last line; nil when none waits.
    var pendingSince: UInt64? { assembler.pendingSince }

    func flushIfIdle(now: UInt64, idle: UInt64, into out: inout [Record]) {
        assembler.flushIfIdle(now: now, idle: idle, into: &out)
    }

    /// Waits up to `timeoutNanos` for input (or its end); true when a read will not block.
    @discardableResult
    func waitReadable(timeoutNanos: UInt64) -> Bool {
        var p = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ms = Int32(min(timeoutNanos / 1_000_000, 60_000))
        return poll(&p, 1, ms) > 0
    }
}
