import Foundation
import MeshtopModel
import MeshtopNet

/// Everything `meshtop collect` can be told. Times are microseconds; defaults follow SPEC §2–§4.
public struct CollectorConfig: Sendable {
    /// Line listeners (StatsD, syslog, JSON, logfmt, Zipkin, OTLP/JSON; every format is auto-detected).
    public var listen: [HostPort] = [HostPort(host: "127.0.0.1", port: 8125)]
    /// The Jaeger agent listener (`emitBatch` over UDP); nil turns it off. It auto-detects line formats too.
    public var jaeger: HostPort? = HostPort(host: "127.0.0.1", port: 6831)
    /// The OTLP/HTTP receiver (`POST /v1/traces|logs|metrics`, protobuf or JSON); nil turns it off. The CLI
    /// defaults it to 127.0.0.1:4318.
    public var otlpHTTP: HostPort?
    /// The OTLP/gRPC receiver (the trace, logs and metrics `Export` services); nil turns it off (CLI: :4317).
    public var otlpGRPC: HostPort?
    /// The Zipkin HTTP receiver (`POST /api/v2/spans`, JSON or protobuf); nil turns it off (CLI: :9411).
    public var zipkinHTTP: HostPort?
    /// `GET /metrics` in the Prometheus text format (and OpenMetrics); nil turns it off (the default).
    public var metricsHTTP: HostPort?
    /// Alertmanager base URLs (`http://host:9093`); alert transitions are sent to `<url>/api/v2/alerts`.
    public var alertmanagerURLs: [URL] = []
    /// Largest HTTP/gRPC request body, after decompression too.
    public var maxRequestBytes: Int = 16 * 1024 * 1024
    /// Open HTTP connections per receiver; connections beyond it are closed on accept.
    public var maxHTTPConnections: Int = 1_024
    /// How long an HTTP connection may take to send a request head (also the keep-alive idle timeout).
    public var httpHeaderTimeoutMicros: Int64 = 10_000_000
    /// Datagrams from sources outside these networks are dropped and counted as `denied`. Empty allows all.
    public var allow: [CIDR] = []
    /// Raw spans and logs older than this are pruned.
    public var retainRawMicros: Int64 = 24 * 3_600_000_000
    /// Rollups (metrics, service, edge) older than this are pruned.
    public var retainRollupsMicros: Int64 = 30 * 86_400_000_000
    /// Oldest raw data is pruned first when the database grows past this many bytes.
    public var maxDatabaseBytes: Int64?
    /// The alert/breaker rules file (YAML); nil runs the governance defaults without alert rules.
    public var rulesPath: String?
    /// A shell command (`/bin/sh -c`) run with each alert firing/resolved transition as JSON on stdin.
    public var onAlertCommand: String?
    /// How long `--on-alert` may run before it is killed.
    public var onAlertTimeoutMicros: Int64 = 10_000_000
    /// Governance evaluation tick.
    public var evaluationIntervalMicros: Int64 = 5_000_000
    /// StatsD flush interval (metric rollups).
    public var metricFlushIntervalMicros: Int64 = 10_000_000
    /// Longest time a record waits in memory before its transaction commits (the crash-loss bound).
    public var batchWindowMicros: Int64 = 250_000
    /// A batch is written early once it holds this many records.
    public var batchMaxRecords: Int = 20_000
    /// Records (lines) the queue between the socket readers and the writer may hold; beyond it lines are dropped.
    public var queueCapacity: Int = 100_000
    /// Received bytes the queue may hold (datagram and request body sizes); beyond it lines are dropped (UDP) or
    /// requests told to retry (HTTP/gRPC). Decoded records take about 2–3× their received size in memory.
    public var queueBytes: Int = 32 * 1024 * 1024
    /// How often self-metrics (counters and gauges) are persisted when idle.
    public var selfMetricsIntervalMicros: Int64 = 2_000_000
    /// How often retention runs.
    public var pruneIntervalMicros: Int64 = 60_000_000
    /// Runs the governance engine (health, topology, breakers, alerts, metric rollups).
    public var governance: Bool = true
    /// Datagrams read per `recvmmsg` call.
    public var vectorReadCount: Int = 16
    /// After a UDP read cycle that found less than half a full cycle, the next read waits this long (0: read as
    /// soon as the socket is readable), so datagrams are taken in larger cycles with fewer wake-ups.
    public var readCoalesceMicros: Int64 = 1_000
    /// Requested SO_RCVBUF per listener (the kernel caps it at `net.core.rmem_max`).
    public var receiveBufferBytes: Int = 16 * 1024 * 1024
    /// Reading threads per UDP listener (one `SO_REUSEPORT` socket each); also the HTTP receivers' event loops.
    public var eventLoopThreads: Int = 1
    /// Several collectors on this host listen on the same ports (`--reuse-port`): every UDP socket and the OTLP/HTTP
    /// and Zipkin receivers set `SO_REUSEPORT`, and the kernel spreads senders (UDP) and connections (HTTP) over
    /// the collectors of the same user. Not the `/metrics` endpoint (each collector is scraped on its own port), nor
    /// OTLP/gRPC, whose transport sets no such option (docs/scaling.md, "Several collectors on one host").
    public var reusePort: Bool = false
    /// The wall clock that stamps receive times and drives StatsD flushes and governance ticks. Tests pin it so
    /// that no flush-interval boundary can fall inside a test, whatever the machine's load.
    public var wallClock: WallClock = .system

    public init() {}

    /// Every listener address in the order they are bound: line listeners, then Jaeger.
    public var allListeners: [HostPort] { listen + (jaeger.map { [$0] } ?? []) }
}
