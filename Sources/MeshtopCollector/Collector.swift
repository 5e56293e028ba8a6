import Foundation
import Logging
import MeshtopGovernance
import MeshtopModel
import MeshtopNet
import MeshtopStore
import NIOCore
import NIOPosix

/// The collector daemon: UDP listeners → decode (and governance ingest) → bounded queue → one writer thread →
/// SQLite, with governance ticks and retention on the writer. `start()` binds every listener or fails with
/// `CollectorError.bind`; `stop()` closes the listeners, drains the queue and commits the last batch.
public final class Collector: @unchecked Sendable {
    public let config: CollectorConfig
    public let databasePath: String
    let logger: Logger
    private let lock = NSLock()
    private var group: MultiThreadedEventLoopGroup?
    private var channels: [any Channel] = []
    private var udp: [UDPReceiver] = []
    private var writer: IngestWriter?
    private var hooks: AlertHookRunner?
    private let queue: IngestQueue
    private var bound: [HostPort] = []
    private var boundReceivers: [String: HostPort] = [:]
    private var grpc: OTLPGRPCReceiver?
    private var alertmanager: AlertmanagerNotifier?
    private let otlpMetrics: OTLPMetricState
    private var stopped = false

    /// Opens the store the writer writes to, given `databasePath`; nil opens SQLite (`MeshtopStore.open(path:)`).
    /// The CLI injects the PostgreSQL store this way (docs/scaling.md), so the collector never imports it.
    public typealias StoreOpener = @Sendable (String) throws -> any StoreWriter
    private let openStore: StoreOpener?

    public init(
        config: CollectorConfig, databasePath: String, logger: Logger = Logger(label: "meshtop.collector"),
        openStore: StoreOpener? = nil
    ) {
        self.config = config
        self.databasePath = databasePath
        self.logger = logger
        self.openStore = openStore
        self.queue = IngestQueue(capacity: config.queueCapacity, capacityBytes: config.queueBytes)
        // Cumulative OTLP series that began before this collector started only set a baseline (no double count
        // of their history after a restart).
        self.otlpMetrics = OTLPMetricState(startedAtNanos: UInt64(max(0, config.wallClock.micros())) * 1_000)
    }

    /// The addresses actually bound, in the order of `config.allListeners` (port 0 resolved to the real port).
    public var boundAddresses: [HostPort] {
        lock.withLock { bound }
    }

    /// The HTTP/gRPC receivers actually bound, by name (`otlp`, `otlp-grpc`, `zipkin`), ports resolved.
    public var receiverAddresses: [String: HostPort] {
        lock.withLock { boundReceivers }
    }

    /// Counter totals since this collector started (`lines`, `parsed.spans`, `dropped`, …), as of the last commit,
    /// plus `cpu.writer_us`, the writer thread's CPU time.
    public var statistics: [String: Int64] { writer?.totals ?? [:] }
    /// Log rows committed but not yet in the full-text index (0 when the store indexes as it writes).
    var logIndexLag: Int64 { writer?.logIndexLag ?? 0 }

    /// Opens (or creates) the database, loads the rules, binds every listener and starts the writer.
    public func start() async throws {
        signal(SIGPIPE, SIG_IGN)
        let store: any StoreWriter
        do {
            store = try openStore?(databasePath) ?? MeshtopStore.open(path: databasePath)
        } catch {
            throw CollectorError.database(path: databasePath, reason: "\(error)")
        }
        let engine = try config.governance ? makeEngine(rules: loadRules()) : nil
        let feed = engine.map(GovernanceFeed.init(engine:))
        if let command = config.onAlertCommand {
            hooks = AlertHookRunner(command: command, timeoutMicros: config.onAlertTimeoutMicros, logger: logger)
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, config.eventLoopThreads))
        self.group = group
        let exporter = config.metricsHTTP == nil ? nil : PrometheusExporter()
        let sink = IngestSink(queue: queue, governance: feed, exporter: exporter)
        var opened: [any Channel] = []
        var udp: [UDPReceiver] = []
        var receivers: [String: HostPort] = [:]
        do {
            udp = try bindUDP()
            queue.kernelDrops = KernelDropCounter(ports: Set(udp.map(\.localAddress.port)))
            var http = httpReceivers(sink: sink)
            if let address = config.metricsHTTP, let exporter {
                let queue = self.queue
                let statistics: @Sendable () -> [String: Int64] = { [weak self] in self?.statistics ?? [:] }
                let lag: @Sendable () -> Int64 = { [weak self] in self?.logIndexLag ?? 0 }
                http.append(
                    (
                        "metrics", address,
                        MetricsRoutes(
                            exporter: exporter, statistics: statistics, queueDepth: { queue.depth }, logIndexLag: lag)
                    ))
            }
            for (name, address, routes) in http {
                let channel = try await bindHTTP(
                    address, routes: routes, reusePort: config.reusePort && name != "metrics", group: group, sink: sink)
                receivers[name] = Self.hostPort(channel)
                opened.append(channel)
            }
            if let address = config.otlpGRPC {
                let receiver = try await bindGRPC(address, sink: sink)
                lock.withLock { grpc = receiver }
                receivers["otlp-grpc"] = await receiver.boundAddress()
            }
        } catch {
            await lock.withLock({ grpc })?.stop()
            for receiver in udp { receiver.stop() }
            for channel in opened { try? await channel.close() }
            try? await group.shutdownGracefully()
            self.group = nil
            throw error
        }
        let writer = IngestWriter(
            store: store, queue: queue, config: config, governance: feed, hooks: hooks, logger: logger)
        writer.exporter = exporter
        if !config.alertmanagerURLs.isEmpty {
            let notifier = AlertmanagerNotifier(
                urls: config.alertmanagerURLs, evaluationIntervalMicros: config.evaluationIntervalMicros, logger: logger
            )
            writer.alertmanager = notifier
            lock.withLock { alertmanager = notifier }
        }
        lock.withLock {
            channels = opened
            self.udp = udp
            bound = udp.prefix(config.allListeners.count).map(\.localAddress)
            boundReceivers = receivers
            self.writer = writer
        }
        writer.start()
        startReading(udp, sink: sink)
    }

    /// Closes the listeners, writes everything still queued (and the metrics aggregated so far), then returns.
    public func stop() async {
        let (wasStopped, channels, udp) = lock.withLock {
            defer { stopped = true }
            return (stopped, self.channels, self.udp)
        }
        guard !wasStopped else { return }
        await lock.withLock({ grpc })?.stop()
        await Self.offThePool { for receiver in udp { receiver.stop() } }
        for channel in channels { try? await channel.close() }
        queue.close()
        if let writer { await Self.offThePool { writer.waitUntilFinished() } }
        hooks?.drain()
        lock.withLock { alertmanager }?.drain()
        try? await group?.shutdownGracefully()
    }

    /// Re-reads the rules file (SIGHUP). On error the previous rules stay in force and the error, which names
    /// the line, is logged and thrown.
    public func reloadRules() throws {
        guard config.governance, config.rulesPath != nil else { return }
        do {
            let rules = try loadRules()
            writer?.replaceRules(rules)
        } catch {
            logger.error("rules not reloaded, keeping the previous rules: \(error)")
            throw error
        }
    }

    private static func hostPort(_ channel: any Channel) -> HostPort {
        HostPort(host: channel.localAddress?.ipAddress ?? "?", port: channel.localAddress?.port ?? 0)
    }

    /// The HTTP receivers that are turned on, with their routes.
    private func httpReceivers(sink: IngestSink) -> [(String, HostPort, any HTTPIngestRoutes)] {
        var out: [(String, HostPort, any HTTPIngestRoutes)] = []
        if let a = config.otlpHTTP {
            out.append(("otlp", a, OTLPRoutes(ingest: otlpIngest(sink, receiver: "otlp_http"))))
        }
        if let a = config.zipkinHTTP {
            out.append(("zipkin", a, ZipkinRoutes(wallClock: config.wallClock, sink: sink)))
        }
        return out
    }

    private func otlpIngest(_ sink: IngestSink, receiver: String) -> OTLPIngest {
        OTLPIngest(receiver: receiver, sink: sink, metrics: otlpMetrics, wallClock: config.wallClock)
    }

    /// gRPC runs on NIO's shared singleton event-loop group: grpc-swift's transport schedules connection clean-up
    /// after its server has stopped, which would land on the collector's group after `stop()` shut it down.
    private func bindGRPC(_ address: HostPort, sink: IngestSink) async throws -> OTLPGRPCReceiver {
        do {
            return try await OTLPGRPCReceiver(
                address: address, ingest: otlpIngest(sink, receiver: "otlp_grpc"), allow: config.allow,
                maxRequestBytes: config.maxRequestBytes, group: .singletonMultiThreadedEventLoopGroup)
        } catch let error as IOError {
            throw CollectorError.bind(address: address, reason: grpcReason(error), transport: "tcp")
        } catch {
            throw CollectorError.bind(address: address, reason: "\(error)", transport: "tcp")
        }
    }

    /// With `--reuse-port` a second collector finds the gRPC port taken: say why, and what to do.
    private func grpcReason(_ error: IOError) -> String {
        let reason = Self.describe(error)
        guard config.reusePort, error.errnoCode == EADDRINUSE else { return reason }
        return reason
            + " (OTLP/gRPC cannot share a port: --reuse-port covers the UDP, OTLP/HTTP and Zipkin listeners; give each"
            + " collector its own --otlp-grpc HOST:PORT, or --otlp-grpc off on all but one)"
    }

    private func bindHTTP(
        _ address: HostPort, routes: any HTTPIngestRoutes, reusePort: Bool, group: MultiThreadedEventLoopGroup,
        sink: IngestSink
    ) async throws -> any Channel {
        do {
            return try await HTTPIngestServer.bind(
                address, routes: routes,
                limits: HTTPLimits(
                    maxBodyBytes: config.maxRequestBytes,
                    headerTimeout: .microseconds(config.httpHeaderTimeoutMicros)),
                maxConnections: config.maxHTTPConnections, allow: config.allow, reusePort: reusePort, sink: sink,
                group: group)
        } catch let error as IOError {
            throw CollectorError.bind(address: address, reason: Self.describe(error), transport: "tcp")
        } catch {
            throw CollectorError.bind(address: address, reason: "\(error)", transport: "tcp")
        }
    }

    /// Runs blocking work (joining threads) on a thread of its own, not on the concurrency pool.
    private static func offThePool(_ work: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                work()
                done.resume()
            }
        }
    }

    /// Binds every UDP listener, in the order of `config.allListeners`, then with more than one listener thread
    /// one more socket on the same address per extra thread (`SO_REUSEPORT`): the kernel spreads senders over them
    /// by source address and port, and each thread decodes its own share.
    private func bindUDP() throws -> [UDPReceiver] {
        var out: [UDPReceiver] = []
        let threads = max(1, config.eventLoopThreads)
        do {
            for (index, address) in config.allListeners.enumerated() {
                let name = index < config.listen.count ? "udp" : "jaeger"
                out.append(
                    try UDPReceiver.bind(address, reusePort: threads > 1 || config.reusePort, listener: name))
            }
            for (index, address) in config.allListeners.enumerated() where threads > 1 {
                let same = HostPort(host: address.host, port: out[index].localAddress.port)
                for _ in 1..<threads {
                    out.append(try UDPReceiver.bind(same, reusePort: true, listener: out[index].listener))
                }
            }
        } catch {
            for receiver in out { receiver.stop() }
            throw error
        }
        return out
    }

    /// Sizes each socket's receive buffer and starts its reading thread.
    private func startReading(_ receivers: [UDPReceiver], sink: IngestSink) {
        let vector = max(1, config.vectorReadCount)
        for (index, receiver) in receivers.enumerated() {
            let buffer = receiver.enlargeReceiveBuffer(to: config.receiveBufferBytes)
            logger.debug("receive buffer \(buffer) bytes on \(receiver.localAddress)")
            var reading = UDPReceiver.Reading(
                vector: vector, readsPerCycle: Self.readsPerCycle, coalesceMicros: config.readCoalesceMicros,
                coalesceBelow: vector * Self.readsPerCycle / 2)
            if reading.coalesceMicros > 0, buffer < Self.coalescingBufferBytes {
                // A small buffer (no root, default net.core.rmem_max) could overflow while a read waits: read at once.
                reading.coalesceMicros = 0
                logger.info("receive buffer \(buffer) bytes: reads not coalesced (--read-coalesce needs 4 MiB)")
            }
            receiver.start(
                sink: sink, allow: config.allow, reading: reading, wallClock: config.wallClock,
                name: "meshtop-udp-\(index)")
        }
    }

    /// `recvmmsg` calls per read cycle of a UDP listener (each of up to `vectorReadCount` datagrams).
    static let readsPerCycle = 8
    /// Reads are coalesced only on sockets whose receive buffer (as `SO_RCVBUF` reports it) is at least this
    /// large: a 1 ms wait at 300,000 small datagrams/s queues about 300 KB of kernel memory, more than the 208 KB
    /// that `net.core.rmem_max` allows by default without root.
    static let coalescingBufferBytes = 4 << 20

    static func describe(_ error: IOError) -> String { describe(errno: error.errnoCode) }

    static func describe(errno code: Int32) -> String {
        switch code {
        case EADDRINUSE: return "address already in use (another collector or statsd may be running)"
        case EADDRNOTAVAIL: return "address not available on this host"
        case EACCES: return "permission denied (ports below 1024 need privileges)"
        default: return String(cString: strerror(code))
        }
    }
}
