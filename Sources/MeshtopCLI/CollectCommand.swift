import ArgumentParser
import Foundation
import Logging
import MeshtopCollector
import MeshtopModel
import MeshtopNet

/// `meshtop collect`: the collector daemon.
public struct CollectCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Run the collector: UDP listeners → parse → SQLite, governance and retention.",
        discussion: """
            Every UDP listener auto-detects StatsD/DogStatsD, syslog (RFC 5424/3164), JSON and logfmt logs, Zipkin v2 \
            JSON, OTLP/JSON and Jaeger thrift compact, per datagram and line. OTLP/HTTP (:4318), OTLP/gRPC (:4317) \
            and Zipkin HTTP (:9411) receivers take today's OpenTelemetry and Zipkin SDKs. Listeners bind loopback \
            by default.
            Signals: SIGINT/SIGTERM stop (queued data is written first), SIGHUP reloads --rules.
            Exit codes: 0 stopped cleanly, 2 usage, 3 database unusable (missing directory, not a meshtop \
            database, or already written by another collector: PATH.lock holds its pid), 4 a listener could not bind.
            """)

    @OptionGroup public var db: DatabaseOptions

    @Option(
        name: .customLong("collector-id"),
        help: "With a postgresql:// --db: this collector's id on its rows and rollups (default HOST:PID).")
    public var collectorID: String?

    @Option(name: .customLong("listen"), help: "Line listener HOST:PORT (repeatable; default 127.0.0.1:8125).")
    public var listen: [String] = []

    @Option(help: "Jaeger thrift listener HOST:PORT, or 'off'.")
    public var jaeger: String = "127.0.0.1:6831"

    @Option(help: "OTLP/HTTP receiver HOST:PORT (POST /v1/traces, /v1/logs, /v1/metrics), or 'off'.")
    public var otlp: String = "127.0.0.1:4318"

    @Option(
        name: .customLong("otlp-grpc"), help: "OTLP/gRPC receiver HOST:PORT (trace, logs, metrics Export), or 'off'.")
    public var otlpGRPC: String = "127.0.0.1:4317"

    @Option(help: "Zipkin HTTP receiver HOST:PORT (POST /api/v2/spans), or 'off'.")
    public var zipkin: String = "127.0.0.1:9411"

    @Option(help: "Serve GET /metrics (Prometheus/OpenMetrics) on HOST:PORT (':9464' = loopback), or 'off'.")
    public var metrics: String = "off"

    @Option(
        name: .customLong("alertmanager"),
        help: "Send alerts to this Alertmanager (repeatable), e.g. http://127.0.0.1:9093.")
    public var alertmanager: [String] = []

    @Option(
        name: .customLong("max-request-size"), help: "Largest HTTP/gRPC request body, after decompression too.",
        transform: SizeArgument.parser("--max-request-size", in: 1_024...(1 << 30), example: "16MiB"))
    public var maxRequestSize = SizeArgument.literal("16MiB")

    @Option(name: .customLong("allow"), help: "Accept datagrams only from this CIDR (repeatable; others: denied).")
    public var allow: [String] = []

    @Option(help: "Keep raw spans and logs this long.")
    public var retain: String = "24h"

    @Option(name: .customLong("retain-rollups"), help: "Keep rollups (metrics, services, edges) this long.")
    public var retainRollups: String = "30d"

    @Option(
        name: .customLong("max-db-size"), help: "Prune oldest raw data beyond this size (e.g. 2GiB).",
        transform: SizeArgument.parser("--max-db-size", example: "500MB or 2GiB"))
    public var maxDBSize: SizeArgument?

    @Option(help: "Alert and breaker rules (YAML). SIGHUP reloads it.")
    public var rules: String?

    @Option(name: .customLong("on-alert"), help: "Shell command run with each firing/resolved alert as JSON on stdin.")
    public var onAlert: String?

    @Option(name: .customLong("eval-interval"), help: "Governance evaluation interval.")
    public var evalInterval: String = "5s"

    @Option(name: .customLong("flush-interval"), help: "StatsD flush interval (metric rollups).")
    public var flushInterval: String = "10s"

    @Option(name: .customLong("queue-capacity"), help: "Lines buffered between sockets and writer before dropping.")
    public var queueCapacity: Int = 100_000

    @Option(
        name: .customLong("queue-bytes"), help: "Received bytes buffered between sockets and writer before dropping.",
        transform: SizeArgument.parser("--queue-bytes", in: 65_536...Int64.max, example: "32MiB"))
    public var queueBytes = SizeArgument.literal("32MiB")

    @Option(
        name: .customLong("listen-threads"),
        help: "Threads reading each UDP listener (SO_REUSEPORT sockets, one per thread and listener).")
    public var listenThreads: Int = 1

    @Flag(
        name: .customLong("reuse-port"),
        help: """
            Let several collectors on this host listen on the same UDP, OTLP/HTTP and Zipkin ports (SO_REUSEPORT; \
            the kernel spreads senders over them). Needs a postgresql:// --db.
            """)
    public var reusePort = false

    @Option(
        name: .customLong("read-coalesce"),
        help: "After a UDP read that found few datagrams, wait this long before reading again ('0': at once).")
    public var readCoalesce: String = "1ms"

    @Flag(name: .customLong("no-governance"), help: "Store spans, logs and metrics only; no health/breakers/alerts.")
    public var noGovernance = false

    @Flag(help: "Log warnings and errors only.")
    public var quiet = false

    public init() {}

    /// The configuration the flags describe; throws `ValidationError` (exit 2) naming the bad flag.
    public func makeConfig() throws -> CollectorConfig {
        var c = CollectorConfig()
        if !listen.isEmpty { c.listen = try listen.map { try Self.address($0, flag: "--listen") } }
        c.jaeger = try Self.optionalAddress(jaeger, flag: "--jaeger")
        c.otlpHTTP = try Self.optionalAddress(otlp, flag: "--otlp")
        c.otlpGRPC = try Self.optionalAddress(otlpGRPC, flag: "--otlp-grpc")
        c.zipkinHTTP = try Self.optionalAddress(zipkin, flag: "--zipkin")
        c.metricsHTTP = try Self.optionalAddress(metrics, flag: "--metrics")
        c.alertmanagerURLs = try alertmanager.map { text in
            guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw ValidationError("--alertmanager \(text): expected a URL like http://127.0.0.1:9093")
            }
            return url
        }
        c.maxRequestBytes = Int(maxRequestSize.bytes)
        c.allow = try allow.map { text in
            guard let cidr = CIDR(text) else {
                throw ValidationError("--allow \(text): expected a CIDR like 10.0.0.0/8, ::1/128 or 192.168.1.7")
            }
            return cidr
        }
        c.retainRawMicros = try Self.duration(retain, flag: "--retain")
        c.retainRollupsMicros = try Self.duration(retainRollups, flag: "--retain-rollups")
        c.evaluationIntervalMicros = try Self.duration(evalInterval, flag: "--eval-interval", minimum: 100_000)
        c.metricFlushIntervalMicros = try Self.duration(flushInterval, flag: "--flush-interval", minimum: 100_000)
        c.maxDatabaseBytes = maxDBSize?.bytes
        guard queueCapacity > 0 else { throw ValidationError("--queue-capacity must be positive") }
        c.queueCapacity = queueCapacity
        c.queueBytes = Int(queueBytes.bytes)
        guard (1...64).contains(listenThreads) else { throw ValidationError("--listen-threads: expected 1 to 64") }
        c.eventLoopThreads = listenThreads
        c.reusePort = reusePort
        c.readCoalesceMicros = try Self.duration(readCoalesce, flag: "--read-coalesce", minimum: 0)
        guard c.readCoalesceMicros <= 100_000 else {
            throw ValidationError("--read-coalesce \(readCoalesce): at most 100ms (the socket buffer holds the wait)")
        }
        c.rulesPath = rules
        c.onAlertCommand = onAlert
        c.governance = !noGovernance
        return c
    }

    public func validate() throws {
        _ = try makeConfig()
    }

    public func run() async throws {
        let level: Logger.Level = quiet ? .warning : .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let config = try makeConfig()
        let target = try StoreOpening.target(db.resolvedPath)
        if reusePort, case .sqlite = target {
            throw MeshtopError.usage(
                "--reuse-port: collectors sharing a port each get a share of the senders, so they must write one "
                    + "store: give every one the same postgresql:// --db (a SQLite file takes one collector)")
        }
        let signals = StopSignals.install()
        let path = target.display
        let collector = Collector(
            config: config, databasePath: path,
            openStore: StoreOpening.collectorStore(target, collectorID: collectorID ?? StoreOpening.defaultCollectorID))
        do {
            try await collector.start()
        } catch let error as CollectorError {
            throw MeshtopError(error.description, code: error.exitCode)
        }
        let lines = collector.boundAddresses.map(\.description)
        let jaegerText = config.jaeger == nil ? "" : " (jaeger thrift on \(lines.last ?? ""))"
        let receivers = collector.receiverAddresses
        let httpText = ["otlp", "otlp-grpc", "zipkin", "metrics"].compactMap { name in
            receivers[name].map { "\(name) \($0)" }
        }.joined(separator: ", ")
        FileHandle.standardError.write(
            Data(
                ("meshtop collect: listening on udp \(lines.joined(separator: ", "))\(jaegerText); "
                    + (httpText.isEmpty ? "" : "tcp \(httpText); ") + "db \(path)\n").utf8))
        await signals.waitForStop(onHangup: { try? collector.reloadRules() })
        await collector.stop()
        if !quiet { FileHandle.standardError.write(Data("meshtop collect: stopped\n".utf8)) }
    }

    static func address(_ text: String, flag: String) throws -> HostPort {
        guard let a = HostPort(text) else {
            throw ValidationError("\(flag) \(text): expected HOST:PORT, e.g. 127.0.0.1:8125 or [::1]:8125")
        }
        return a
    }

    /// `off` (any case) is nil.
    static func optionalAddress(_ text: String, flag: String) throws -> HostPort? {
        text.lowercased() == "off" ? nil : try address(text, flag: flag)
    }

    static func duration(_ text: String, flag: String, minimum: Int64 = 1) throws -> Int64 {
        guard let v = DurationText.parseMicros(text), v >= minimum else {
            throw ValidationError("\(flag) \(text): expected a duration like 250ms, 1.5s, 15m, 2h or 7d")
        }
        return v
    }
}

extension CollectorError {
    /// The documented exit code (SPEC §1): 4 bind, 3 database (unusable or in use by another collector), 2 rules.
    var exitCode: Int32 {
        switch self {
        case .bind: return MeshtopExit.bind
        case .database: return MeshtopExit.database
        case .rules: return MeshtopExit.usage
        }
    }
}
