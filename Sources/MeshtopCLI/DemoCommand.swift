import ArgumentParser
import Foundation
import MeshtopCollector
import MeshtopConsole
import MeshtopDemo
import MeshtopModel
import MeshtopQuery
import MeshtopStore
import MeshtopTerminal

/// `meshtop demo`: a collector on free loopback ports, simulated microservices sending real wire formats to it,
/// and the console on its database (or, with `--headless`, a summary after `--duration`).
public struct DemoCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a collector, a simulated online shop sending real wire formats, and the console.")

    @Option(help: "Database file (default: a fresh file in a temporary folder).")
    var db: String?

    @Option(help: "A built-in scenario (shop) or a scenario YAML file.")
    var scenario: String = "shop"

    @Option(help: "Simulated time runs this many times faster than the clock.")
    var speed: Double = 1

    @Flag(help: "No console: run for --duration and print a summary.")
    var headless = false

    @Option(
        help: "With --headless: how long to run (wall clock), e.g. 20s.",
        transform: DurationArgument.parser("--duration", example: "20s or 2m"))
    var duration: DurationArgument?

    @Flag(help: "With --headless: print the summary as JSON.")
    var json = false

    public init() {}

    public func validate() throws {
        guard speed > 0, speed <= 1000 else { throw ValidationError("--speed must be between 0 and 1000") }
        if headless && duration == nil { throw ValidationError("--headless needs --duration, e.g. --duration 20s") }
    }

    public func run() async throws {
        let scenario: Scenario
        do {
            scenario = try BuiltinScenarios.load(self.scenario)
        } catch {
            throw MeshtopError("\(error)", code: MeshtopExit.usage)
        }
        let path = try db ?? Self.temporaryDatabasePath()
        FileHandle.standardError.write(
            Data("meshtop demo: scenario '\(scenario.name)', database \(StoreOpening.display(path))\n".utf8))
        let transports = scenario.transportLines.map { "meshtop demo: \($0)\n" }.joined()
        FileHandle.standardError.write(Data(transports.utf8))
        let session = try await DemoSession.start(scenario: scenario, databasePath: path, speed: speed)
        if headless {
            let micros = duration?.micros ?? 20_000_000
            let runner = session.play(loops: nil, narrate: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
            try await Task.sleep(nanoseconds: UInt64(micros) * 1_000)
            runner.stop()
            await session.finish()
            let summary = try DemoSummary.read(databasePath: path, scenario: scenario)
            print(json ? summary.json : summary.text)
            return
        }
        let runner = session.play(loops: nil, narrate: { _ in })
        // Give the collector a moment to land the first batch so the console opens on data.
        try await Task.sleep(nanoseconds: 1_500_000_000)
        let exit = try ConsoleRunner.run(reader: makeConsoleReader(path: path), options: ConsoleOptions())
        runner.stop()
        await session.finish()
        FileHandle.standardError.write(Data("meshtop demo: data kept in \(path)\n".utf8))
        if case .signal(let s) = exit { throw MeshtopError.signal(s) }
    }

    static func temporaryDatabasePath() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "meshtop-demo-\(ProcessInfo.processInfo.processIdentifier)-\(Int(Date().timeIntervalSince1970))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("meshtop.db").path
    }
}
