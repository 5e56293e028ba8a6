import CMeshtopSocket
import Foundation
import Glibc
import Logging
import MeshtopNet

/// One UDP listener socket read by a thread of its own with `recvmmsg` into buffers allocated once: no per-datagram
/// allocation, and the sender's address stays raw bytes until it changes (`DatagramBatcher`). This replaced a
/// SwiftNIO datagram channel, which allocates an envelope and formats the sender's address with `inet_ntop` for
/// every datagram (docs/benchmarks.md, "Receiving without SwiftNIO").
///
/// A read cycle is up to `readsPerCycle` calls of up to `vector` datagrams each, while the socket has more; the
/// cycle's chunk then goes to the queue. Backpressure: when the queue reaches its high watermark the thread stops
/// reading until the writer has drained it to the low watermark (`IngestQueue.pauseReading`); meanwhile datagrams
/// wait in the kernel's receive buffer and, once it is full, the kernel drops them (counted as `dropped.kernel`).
/// Coalescing: after a cycle that found fewer than `coalesceBelow` datagrams the thread sleeps `coalesceMicros`,
/// so the kernel gathers datagrams for one larger cycle instead of waking it for every few.
final class UDPReceiver: @unchecked Sendable {
    let socket: Int32
    /// The address bound (numeric, port 0 resolved).
    let localAddress: HostPort
    /// `udp` (line listener) or `jaeger`: where rejected lines say they came from.
    let listener: String
    struct Reading: Sendable {
        var vector = 16
        var readsPerCycle = 8
        var coalesceMicros: Int64 = 0
        var coalesceBelow = 0
    }
    private var reading = Reading()
    /// An eventfd that wakes the thread: the queue drained (resume) or `stop()`.
    private let wake: Int32
    private let lock = NSLock()
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)
    private var started = false
    private var closed = false

    private init(socket: Int32, wake: Int32, localAddress: HostPort, listener: String) {
        self.socket = socket
        self.wake = wake
        self.localAddress = localAddress
        self.listener = listener
    }

    deinit {
        if !closed { close(socket) }
        close(wake)
    }

    /// Binds a UDP socket on `address` (a numeric address or a host name, resolved with `getaddrinfo`).
    /// Throws `CollectorError.bind` naming the address and the reason.
    static func bind(_ address: HostPort, reusePort: Bool, listener: String = "udp") throws -> UDPReceiver {
        func failed(_ code: Int32) -> CollectorError {
            CollectorError.bind(address: address, reason: Collector.describe(errno: code), transport: "udp")
        }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(address.host, String(address.port), &hints, &list)
        guard status == 0, let info = list else {
            let reason = String(cString: gai_strerror(status))
            throw CollectorError.bind(address: address, reason: reason, transport: "udp")
        }
        defer { freeaddrinfo(list) }
        let fd = Glibc.socket(info.pointee.ai_family, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failed(errno) }
        var one: Int32 = 1
        if reusePort {
            setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        guard Glibc.bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let code = errno
            close(fd)
            throw failed(code)
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let local = withUnsafeMutableBytes(of: &storage) { raw -> HostPort in
            _ = getsockname(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
            let parsed = DatagramBatcher.parse(UnsafeRawBufferPointer(rebasing: raw[..<Int(length)]))
            return HostPort(host: parsed?.host ?? address.host, port: parsed?.port ?? 0)
        }
        let wake = meshtop_eventfd()
        guard wake >= 0 else {
            let code = errno
            close(fd)
            throw failed(code)
        }
        return UDPReceiver(socket: fd, wake: wake, localAddress: local, listener: listener)
    }

    /// Asks for a `bytes` receive buffer: `SO_RCVBUFFORCE` (root) goes past `net.core.rmem_max`, else `SO_RCVBUF`
    /// is capped by it. Returns the size obtained as the kernel reports it (twice what it grants for data).
    func enlargeReceiveBuffer(to bytes: Int) -> Int {
        var value = Int32(clamping: bytes)
        let size = socklen_t(MemoryLayout<Int32>.size)
        if bytes > 0, setsockopt(socket, SOL_SOCKET, SO_RCVBUFFORCE, &value, size) != 0 {
            setsockopt(socket, SOL_SOCKET, SO_RCVBUF, &value, size)
        }
        var got: Int32 = 0
        var length = size
        getsockopt(socket, SOL_SOCKET, SO_RCVBUF, &got, &length)
        return Int(got)
    }

    /// Starts the reading thread, which submits to `sink`.
    func start(sink: IngestSink, allow: [CIDR], reading: Reading, wallClock: WallClock, name: String) {
        self.reading = reading
        lock.withLock { started = true }
        let box = UncheckedBox(DatagramBatcher(sink: sink, allow: allow, listener: listener))
        let thread = Thread { [self] in
            Thread.current.name = name  // Linux names the thread only from inside it
            run(box.value, wallClock: wallClock)
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Stops the thread after the cycle it is in (its chunk submitted), returns when it has, and closes the
    /// socket (the port is free again).
    func stop() {
        let (wasStarted, wasClosed) = lock.withLock {
            defer {
                stopping = true
                closed = true
            }
            return (started, closed)
        }
        guard !wasClosed else { return }
        if wasStarted {
            signal()
            finished.wait()
        }
        close(socket)
    }

    private var isStopping: Bool { lock.withLock { stopping } }

    private func signal() {
        var one: UInt64 = 1
        _ = write(wake, &one, 8)
    }

    private func clearWake() {
        var value: UInt64 = 0
        _ = read(wake, &value, 8)
    }

    private func run(_ batcher: DatagramBatcher, wallClock: WallClock) {
        var batcher = batcher
        let vector = max(1, reading.vector)
        let slot = 65_536
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: slot * vector, alignment: 16)
        let names = UnsafeMutablePointer<sockaddr_storage>.allocate(capacity: vector)
        let iovecs = UnsafeMutablePointer<iovec>.allocate(capacity: vector)
        let messages = UnsafeMutablePointer<meshtop_mmsghdr>.allocate(capacity: vector)
        defer {
            buffer.deallocate()
            names.deallocate()
            iovecs.deallocate()
            messages.deallocate()
        }
        for i in 0..<vector {
            iovecs[i] = iovec(iov_base: buffer + i * slot, iov_len: slot)
            messages[i] = meshtop_mmsghdr()
            messages[i].msg_hdr.msg_iov = iovecs + i
            messages[i].msg_hdr.msg_iovlen = 1
            messages[i].msg_hdr.msg_name = UnsafeMutableRawPointer(names + i)
        }
        let queue = batcher.sink.queue
        var paused = false
        var fds = [
            pollfd(fd: socket, events: Int16(POLLIN), revents: 0), pollfd(fd: wake, events: Int16(POLLIN), revents: 0),
        ]
        while !isStopping {
            if paused {
                // Only the wake fd: the writer drained the queue, or stop().
                _ = poll(&fds[1], 1, -1)
                clearWake()
                paused = false
                continue
            }
            guard poll(&fds, 2, -1) >= 0 || errno == EINTR else { return }
            if fds[1].revents != 0 { clearWake() }
            if fds[0].revents & Int16(POLLNVAL) != 0 { return }
            guard fds[0].revents != 0 else { continue }
            var cycle = 0
            for _ in 0..<max(1, reading.readsPerCycle) {
                for i in 0..<vector { messages[i].msg_hdr.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size) }
                let n = Int(meshtop_recvmmsg(socket, messages, UInt32(vector), Int32(MSG_DONTWAIT)))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { break }
                let now = wallClock.micros()
                for i in 0..<n {
                    let data = UnsafeRawBufferPointer(start: buffer + i * slot, count: Int(messages[i].msg_len))
                    let name = UnsafeRawBufferPointer(
                        start: UnsafeRawPointer(names + i), count: Int(messages[i].msg_hdr.msg_namelen))
                    if batcher.add(data, from: name, at: now) { paused = handOver(&batcher, queue) || paused }
                }
                cycle += n
                if n < vector || paused { break }
            }
            paused = handOver(&batcher, queue) || paused
            if !paused, reading.coalesceMicros > 0, cycle < reading.coalesceBelow {
                usleep(UInt32(clamping: reading.coalesceMicros))
            }
        }
        batcher.submit()
    }

    /// Submits the chunk; returns whether the queue is at its high watermark, in which case `signal()` will
    /// be called once the writer has drained it.
    private func handOver(_ batcher: inout DatagramBatcher, _ queue: IngestQueue) -> Bool {
        guard !batcher.chunk.isEmpty else { return false }
        batcher.submit()
        return queue.pauseReading { [self] in signal() }
    }
}

/// Moves a non-Sendable value into the one thread that will own it.
private struct UncheckedBox<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}
