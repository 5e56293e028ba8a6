import ArgumentParser
import Foundation
import MeshtopAgent
import MeshtopCollector
import MeshtopModel

/// `meshtop agent`: tails files (or stdin) and ships lines to a collector over UDP (SPEC §6, docs/agent.md).
public struct AgentCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Tail log files (or stdin) like tail -F and ship their lines to a collector over UDP.",
        discussion: """
            Follows renames and truncation (logrotate create and copytruncate), picks up new files matching \
            globs, joins multi-line records, and checkpoints offsets of shipped lines in --state so a restart \
            neither repeats nor skips lines. inotify wakes it at once on change; polling every 200 ms is the \
            safety net. Quote globs so the agent, not the shell, expands them.
            """)

    @Option(name: .long, help: "Collector line listener, HOST:PORT.")
    var to = "127.0.0.1:8125"

    @Option(name: .long, help: "Service for plain lines and lines without one (default: the file name's stem).")
    var service: String?

    @Option(name: .long, help: "Line format: auto, json, logfmt or plain.")
    var format: String = "auto"

    @Option(name: .long, help: "State file for offsets (JSON, written atomically).")
    var state: String?

    @Option(name: .long, help: "Limit the send rate, in lines per second.")
    var rate: Double?

    @Option(
        name: .customLong("max-line"), help: "Longest line (64…60000 bytes); longer ones are cut and flagged.",
        transform: SizeArgument.parser("--max-line", in: 64...60_000, example: "16384 or 16k"))
    var maxLine = SizeArgument.literal("16384")

    @Option(name: .long, help: "Regular expression matching the first line of a multi-line record.")
    var multiline: String?

    @Flag(name: .customLong("from-start"), help: "Read files present at start from their beginning.")
    var fromStart = false

    @Flag(
        name: .customLong("no-inotify"),
        help: "Find changes by polling every 200 ms only, without inotify watches.")
    var noInotify = false

    @Flag(name: .long, help: "Print the self-report (every 10 s) and file events to stderr.")
    var verbose = false

    @Flag(name: .long, help: "Read standard input instead of files.")
    var stdin = false

    @Argument(help: "Files or glob patterns to follow.")
    var paths: [String] = []

    public init() {}

    public func validate() throws {
        guard LogFormat(rawValue: format) != nil else {
            throw ValidationError("--format must be auto, json, logfmt or plain, not '\(format)'")
        }
        guard stdin != !paths.isEmpty else {
            throw ValidationError("give FILE or GLOB arguments, or --stdin (not both)")
        }
        if let r = rate, !(r > 0) { throw ValidationError("--rate must be a positive number of lines per second") }
    }

    /// The agent configuration these options describe.
    public func makeConfig() -> AgentConfig {
        var c = AgentConfig()
        c.destination = to
        c.service = service
        c.format = LogFormat(rawValue: format) ?? .auto
        c.paths = paths
        c.readStdin = stdin
        c.statePath = state
        c.rate = rate
        c.maxLine = Int(maxLine.bytes)
        c.multilinePattern = multiline
        c.fromStart = fromStart
        c.useInotify = !noInotify
        c.verbose = verbose
        return c
    }

    public func run() async throws {
        let agent: Agent
        do { agent = try Agent(config: makeConfig()) } catch {
            throw MeshtopError(error.description, code: MeshtopExit.usage)
        }
        StopSignals.install(hangup: false).run(onHangup: {}, onStop: { agent.stop() })
        agent.start()
        await agent.waitUntilFinished()
    }
}
