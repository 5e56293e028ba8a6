import ArgumentParser
import Foundation
import MeshtopConsole
import MeshtopModel
import MeshtopQuery
import MeshtopStore
import MeshtopTerminal

/// `meshtop console`: the interactive ncurses console over a database, following a running collector.
public struct ConsoleCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Interactive console: services, topology, traces, logs, metrics, breakers, alerts.",
        discussion: """
            Opens the database read-only and refreshes while a collector writes to it. Keys: Tab/1-7 switch views, \
            j/k move, Enter drills in, Esc goes back, / filters, : runs commands (:svc NAME, :since 1h, :q), \
            t cycles the time window, space pauses, ? lists every key, q quits. See docs/console.md.
            """)

    @OptionGroup public var db: DatabaseOptions

    @Option(
        help: "How often to re-read the database (e.g. 500ms, 1s, 5s).",
        transform: DurationArgument.parser("--refresh", example: "1s"))
    public var refresh = DurationArgument.literal("1s")

    @Option(
        help: "The initial time window: a duration back from now (5m, 15m, 1h, 6h, 24h, …).",
        transform: DurationArgument.parser("--since", example: "15m or 1h"))
    public var since = DurationArgument.literal("15m")

    @Flag(name: .customLong("no-color"), help: "Monochrome: bold and reverse video instead of colours (also NO_COLOR).")
    public var noColor = false

    @Flag(help: "Draw boxes, bars and sparklines with ASCII characters only.")
    public var ascii = false

    public init() {}

    public func validate() throws {
        guard refresh.micros >= 100_000 else {
            throw ValidationError("--refresh \(refresh): expected a duration of at least 100ms, e.g. 1s")
        }
        guard since.micros > 0 else {
            throw ValidationError("--since \(since): expected a duration such as 15m or 1h")
        }
    }

    public func run() async throws {
        let path = db.resolvedPath
        // Everything that can fail before the screen is taken over fails here, with a plain message.
        let reader: any QueryReading
        do {
            reader = try makeConsoleReader(path: path)
        } catch let error as StoreError {
            throw MeshtopError.database(error.description)
        } catch let error as MeshtopError {
            throw error
        } catch {
            throw MeshtopError("cannot open \(path): \(error); check --db PATH", code: MeshtopExit.database)
        }
        guard isatty(0) == 1, isatty(1) == 1 else {
            throw MeshtopError.usage("the console needs a terminal; use `meshtop query …` for scripts")
        }
        let env = ProcessInfo.processInfo.environment
        let options = ConsoleOptions(
            refreshMicros: refresh.micros, windowMicros: since.micros,
            color: !noColor && (env["NO_COLOR"] ?? "").isEmpty, ascii: ascii)
        let exit: ConsoleRunner.Exit
        do {
            exit = try ConsoleRunner.run(reader: reader, options: options)
        } catch {
            throw MeshtopError("\(error)", code: MeshtopExit.usage)
        }
        if case .signal(let s) = exit { throw MeshtopError.signal(s) }
    }
}

/// The console's data source for a database path: the query layer over a read-only store. Throws
/// `StoreError.missing` when there is no database, so the caller can exit with code 3 before touching the screen.
func makeConsoleReader(path: String) throws -> any QueryReading {
    try StoreOpening.queries(path, timeout: QueryTimeout.console)
}
