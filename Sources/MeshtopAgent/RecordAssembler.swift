/// Bytes → lines → records for one source: the line splitter followed by the multi-line joiner, counting what
/// it reads.
struct RecordAssembler {
    private var splitter: LineSplitter
    private var joiner: MultilineJoiner

    init(maxLine: Int, rule: MultilineRule) {
        splitter = LineSplitter(maxLine: maxLine)
        joiner = MultilineJoiner(rule: rule, maxBytes: maxLine)
    }

    /// Feeds `chunk`, which starts at stream offset `base`; complete records go to `out`.
    mutating func feed(
        _ chunk: UnsafeRawBufferPointer, base: Int64, now: UInt64, stats: inout AgentStats, into out: inout [Record]
    ) {
        stats.bytesRead += Int64(chunk.count)
        splitter.feed(chunk, base: base) { line, end, cut in
            stats.linesRead += 1
            if cut { stats.truncated += 1 }
            joiner.add(line, endOffset: end, truncated: cut, now: now, into: &out)
        }
    }

    /// The source ended at `endOffset`: its unfinished last line and the pending record become records.
    mutating func finish(endOffset: Int64, stats: inout AgentStats, into out: inout [Record]) {
        splitter.flush { line, cut in
            stats.linesRead += 1
            if cut { stats.truncated += 1 }
            joiner.add(line, endOffset: endOffset, truncated: cut, now: 0, into: &out)
        }
        joiner.flush(into: &out)
    }

    /// Ships a multi-line record that has waited `idle` nanoseconds for more lines.
    mutating func flushIfIdle(now: UInt64, idle: UInt64, into out: inout [Record]) {
        joiner.flushIfIdle(now: now, idle: idle, into: &out)
    }

    /// When the pending record got its last line; nil when nothing is pending.
    var pendingSince: UInt64? { joiner.pendingSinceTime }

    /// Forgets the unfinished line and the pending record.
    mutating func reset() {
        splitter.reset()
        joiner.discard()
    }
}
