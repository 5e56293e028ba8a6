/// What the agent has done since it started (`Agent.stats`), and the StatsD self-report built from it.
public struct AgentStats: Sendable, Equatable {
    /// Physical lines read from files or stdin.
    public var linesRead = 0
    /// Records shipped (a joined multi-line record counts once).
    public var linesSent = 0
    /// Lines cut at `--max-line`.
    public var truncated = 0
    /// Files open right now.
    public var filesFollowed = 0
    public var bytesRead: Int64 = 0
    /// Datagrams the kernel refused (collector away, buffers full); each is retried.
    public var sendErrors = 0

    public init() {}

    /// StatsD lines: counters since `previous` as `|c`, files as `|g`, tagged DogStatsD-style.
    func statsdLines(since previous: AgentStats, host: String) -> [String] {
        let tags = "|#service:meshtop-agent,host:\(host)"
        return [
            "meshtop.agent.lines_read:\(linesRead - previous.linesRead)|c\(tags)",
            "meshtop.agent.lines_sent:\(linesSent - previous.linesSent)|c\(tags)",
            "meshtop.agent.truncated:\(truncated - previous.truncated)|c\(tags)",
            "meshtop.agent.bytes_read:\(bytesRead - previous.bytesRead)|c\(tags)",
            "meshtop.agent.files_followed:\(filesFollowed)|g\(tags)",
        ]
    }
}
