import Foundation
import Logging
import MeshtopCollector
import MeshtopDemo
import MeshtopModel
import MeshtopNet
import MeshtopPostgres

/// A running demo: the in-process collector plus the simulator thread that feeds it over UDP, OTLP/HTTP and
/// OTLP/gRPC, each on a free loopback port.
final class DemoSession: @unchecked Sendable {
    // Created once; `runner` is set before the simulator thread starts and only read afterwards.
    let collector: Collector
    let scenario: Scenario
    let sender: DemoSender
    let speed: Double
    private var runner: DemoRunner?
    private let done = DispatchSemaphore(value: 0)
    private let rulesFile: String?

    private init(collector: Collector, scenario: Scenario, sender: DemoSender, speed: Double, rulesFile: String?) {
        self.collector = collector
        self.scenario = scenario
        self.sender = sender
        self.speed = speed
        self.rulesFile = rulesFile
    }

    static func start(scenario: Scenario, databasePath: String, speed: Double) async throws -> DemoSession {
        var config = CollectorConfig()
        config.listen = [HostPort(host: "127.0.0.1", port: 0)]
        config.jaeger = HostPort(host: "127.0.0.1", port: 0)
        config.otlpHTTP = HostPort(host: "127.0.0.1", port: 0)
        config.otlpGRPC = HostPort(host: "127.0.0.1", port: 0)
        // Alerts and breakers run on event time; at --speed X a 5 s tick would skip X×5 s of story.
        config.evaluationIntervalMicros = max(200_000, Int64(5_000_000 / speed))
        // StatsD flushes run on the receive clock: scale them too, or a fast story's gauge gets one point per 10 s.
        config.metricFlushIntervalMicros = max(1_000_000, Int64(10_000_000 / speed))
        var rulesFile: String?
        if let rules = scenario.rules {
            let file =
                PostgresURL.isURL(databasePath)
                ? FileManager.default.temporaryDirectory.appendingPathComponent("meshtop-demo-\(getpid()).rules.yaml")
                    .path
                : databasePath + ".rules.yaml"
            try rules.write(toFile: file, atomically: true, encoding: .utf8)
            config.rulesPath = file
            rulesFile = file
        }
        var logger = Logger(label: "meshtop.demo")
        logger.logLevel = .error
        let target = try StoreOpening.target(databasePath)
        let collector = Collector(
            config: config, databasePath: target.display, logger: logger,
            openStore: StoreOpening.collectorStore(target, collectorID: "demo:\(getpid())"))
        do {
            try await collector.start()
        } catch let error as CollectorError {
            throw MeshtopError(error.description, code: error.exitCode)
        }
        let addresses = collector.boundAddresses
        let lines = addresses[0]
        let jaeger = addresses[1]
        let receivers = collector.receiverAddresses
        let sender = try DemoSender(
            linesHost: lines.host, linesPort: UInt16(lines.port), jaegerHost: jaeger.host,
            jaegerPort: UInt16(jaeger.port),
            otlpHTTP: receivers["otlp"].map { OTLPHTTPExporter(host: $0.host, port: $0.port) },
            otlpGRPC: try receivers["otlp-grpc"].map { try OTLPGRPCExporter(host: $0.host, port: $0.port) })
        return DemoSession(collector: collector, scenario: scenario, sender: sender, speed: speed, rulesFile: rulesFile)
    }

    /// Starts the simulator on its own thread; returns its runner so the caller can stop it.
    func play(loops: Int?, narrate: @escaping @Sendable (String) -> Void) -> DemoRunner {
        let runner = DemoRunner(speed: speed)
        self.runner = runner
        let thread = Thread { [self] in
            runner.run(scenario: scenario, sender: sender, loops: loops, narrate: narrate)
            done.signal()
        }
        thread.name = "meshtop-demo-simulator"
        thread.start()
        return runner
    }

    /// Stops the simulator, sends what the OTLP exporters still hold, lets the collector drain, and stops it.
    func finish() async {
        runner?.stop()
        if runner != nil { done.wait() }
        sender.otlpHTTP?.flush()
        sender.otlpHTTP?.close()
        await sender.otlpGRPC?.shutdown()
        try? await Task.sleep(nanoseconds: 500_000_000)
        await collector.stop()
    }
}
