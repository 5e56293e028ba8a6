import ArgumentParser
import Foundation
import MeshtopModel
import MeshtopQuery

/// The options every `meshtop query` subcommand shares: the time window, the output format and a row limit.
public struct OutputOptions: ParsableArguments {
    @Option(help: "Window start: a duration ago (15m, 2h, 7d) or an RFC 3339 time. Relative to the wall clock.")
    public var since = "15m"

    @Option(help: "Window end: a duration ago or an RFC 3339 time (default: now).")
    public var until: String?

    @Option(help: "Output format (default: table on a terminal, else json).")
    public var format: String?

    @Option(help: "Print at most this many rows.")
    public var limit: Int?

    public init() {}

    public func validate() throws {
        let now = SystemClock.wallMicros()
        _ = try window(nowMicros: now)
        if let limit, limit <= 0 { throw ValidationError("--limit \(limit): give a positive number of rows") }
    }

    /// `[since, until)` with relative times taken back from `nowMicros` (wall clock, like Jaeger's UI: a
    /// database whose data is older than the window shows nothing; pass `--since` wider or an RFC 3339 time).
    public func window(nowMicros: Int64) throws -> TimeWindow {
        guard let start = parseTimeArgument(since, nowMicros: nowMicros) else {
            throw ValidationError("--since \(since): expected a duration (15m, 2h, 7d) or an RFC 3339 time")
        }
        var end = nowMicros
        if let until {
            guard let t = parseTimeArgument(until, nowMicros: nowMicros) else {
                throw ValidationError("--until \(until): expected a duration (5m) or an RFC 3339 time")
            }
            end = t
        }
        guard start < end else {
            throw ValidationError("--since \(since) is not before --until \(until ?? "now"): widen the window")
        }
        return TimeWindow(sinceMicros: start, untilMicros: end)
    }

    /// The format asked for, or the default: `terminalDefault` when stdout is a terminal, else JSON.
    public func outputFormat(
        allowed: [OutputFormat] = OutputFormat.lists, terminalDefault: OutputFormat = .table
    ) throws -> OutputFormat {
        guard let format else { return isatty(1) != 0 ? terminalDefault : .json }
        guard let f = OutputFormat(rawValue: format), allowed.contains(f) else {
            throw ValidationError(
                "--format \(format): expected one of " + allowed.map(\.rawValue).joined(separator: ", "))
        }
        return f
    }

    /// Terminal width for `tree`: `$COLUMNS`, else the terminal's (TIOCGWINSZ on stdout), else 100.
    public static func terminalColumns() -> Int {
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(text), n > 0 { return n }
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 100
    }
}
