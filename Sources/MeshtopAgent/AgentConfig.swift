import MeshtopModel

/// How the agent reads lines before shipping them (`--format`).
public enum LogFormat: String, Sendable, CaseIterable {
    /// JSON objects pass through, `key=value` lines pass through as logfmt, anything else is wrapped as plain.
    case auto
    /// Lines are JSON objects; a line that is not one is wrapped as plain text.
    case json
    /// Lines are logfmt; a line that is not is wrapped as plain text.
    case logfmt
    /// Every line is wrapped into a JSON log record.
    case plain
}

/// Everything that configures one `Agent`. Intervals are in nanoseconds so tests can shrink them.
public struct AgentConfig: Sendable {
    /// Collector address, `HOST:PORT` (`--to`).
    public var destination: String = "127.0.0.1:8125"
    /// Service for plain lines and for structured lines without one (`--service`); nil derives it from the
    /// file name (`/var/log/api.log` → `api`, stdin → `stdin`).
    public var service: String?
    public var format: LogFormat = .auto
    /// Paths or glob patterns to follow. Ignored when `readStdin` is set.
    public var paths: [String] = []
    /// Read standard input (or `stdinDescriptor`) instead of files.
    public var readStdin = false
    /// The descriptor read in stdin mode; tests pass a pipe.
    public var stdinDescriptor: Int32 = 0
    /// Offsets checkpoint (`--state`); nil keeps offsets in memory only.
    public var statePath: String?
    /// Lines per second (`--rate`); nil is unlimited.
    public var rate: Double?
    /// Longest line shipped, in bytes (`--max-line`); longer lines are cut at a UTF-8 boundary and flagged.
    public var maxLine = 16_384
    /// A regular expression that matches the first line of a record (`--multiline`); nil uses the indentation
    /// rule (continuation lines start with a space or tab, or with `Caused by:`).
    public var multilinePattern: String?
    /// Existing files are read from their beginning instead of their end (`--from-start`).
    public var fromStart = false
    /// Print the self-report to stderr too (`--verbose`).
    public var verbose = false
    /// Host name put into wrapped records and self-metrics; nil asks the system.
    public var hostName: String?

    /// Watch files and directories with inotify (Linux) so changes wake the loop at once (`--no-inotify` turns
    /// it off). Without it, or where the kernel refuses, changes are found by polling every `pollInterval`.
    public var useInotify = true
    /// How long the loop sleeps when there is nothing to do: the only way to notice changes without inotify,
    /// a safety net with it.
    public var pollInterval: UInt64 = 200_000_000
    /// After an inotify event that only says a file was written, the next pass waits until this long after the
    /// previous one, so a file written line by line costs a bounded number of passes. Creations, deletions,
    /// renames and link changes wake the loop at once.
    public var writeWakeDelay: UInt64 = 20_000_000
    /// How often globs are expanded again to find new files.
    public var rescanInterval: UInt64 = 1_000_000_000
    /// A pending multi-line record is shipped after this long without a new line.
    public var idleFlush: UInt64 = 1_000_000_000
    /// Offsets are written at most this often (and always on stop).
    public var checkpointInterval: UInt64 = 500_000_000
    /// Self-report period.
    public var statsInterval: UInt64 = 10_000_000_000
    /// A followed path that vanished keeps its old file open this long (a rename may be followed by a create).
    public var missingGrace: UInt64 = 5_000_000_000
    /// First retry delay after a failed send; doubles up to `maxBackoff`.
    public var initialBackoff: UInt64 = 100_000_000
    public var maxBackoff: UInt64 = 5_000_000_000
    /// Lines waiting to be sent before reading pauses (bounded memory when the collector is away).
    public var queueLimit = 10_000
    /// Wall clock for the `time` of wrapped records, µs since the epoch.
    public var wallClock: @Sendable () -> Int64 = { SystemClock.wallMicros() }

    public init() {}
}
