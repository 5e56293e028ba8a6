import Foundation

/// One record read from a source: one physical line, or several joined with `\n`.
struct Record {
    var bytes: [UInt8]
    /// Stream offset just after the record's last line: where a restart resumes once it is shipped.
    var endOffset: Int64
    /// A line was cut at `--max-line` (or the joined record reached it).
    var truncated: Bool
    var lines: Int
}

/// Which lines continue the previous record.
enum MultilineRule {
    /// Every line is its own record.
    case none
    /// A line starting with a space or tab, with `Caused by:`, or naming an exception class
    /// (`java.lang.IllegalStateException: boom`) continues the previous record (Java and Python stack traces),
    /// unless that record is a JSON object, which is always complete on one line.
    case indent
    /// A line matching the expression starts a record; any other line continues the previous one.
    case firstLine(NSRegularExpression)
}

/// Joins continuation lines into the pending record. The pending record is shipped when the next record starts,
/// after an idle timeout (`flushIfIdle`), or when its source ends (`flush`). A joined record is capped at
/// `maxBytes`; further continuation lines are dropped and the record flagged truncated.
struct MultilineJoiner {
    let rule: MultilineRule
    let maxBytes: Int
    private(set) var pending: Record?
    private var pendingSince: UInt64 = 0

    init(rule: MultilineRule, maxBytes: Int) {
        self.rule = rule
        self.maxBytes = maxBytes
    }

    /// Adds one physical line; complete records are appended to `out`. Empty lines are skipped.
    mutating func add(
        _ line: UnsafeRawBufferPointer, endOffset: Int64, truncated: Bool, now: UInt64, into out: inout [Record]
    ) {
        guard !line.isEmpty else {
            if pending == nil, let last = out.last, last.endOffset < endOffset {
                // Nothing pending: an empty line after a shipped record moves the resume point past it.
                out[out.count - 1].endOffset = endOffset
            }
            return
        }
        if pending != nil, isContinuation(line) {
            append(line, endOffset: endOffset, truncated: truncated)
            pendingSince = now
            return
        }
        if let p = pending { out.append(p) }
        let record = Record(bytes: Array(line), endOffset: endOffset, truncated: truncated, lines: 1)
        if canTakeContinuations(line) {
            pending = record
            pendingSince = now
        } else {
            pending = nil
            out.append(record)
        }
    }

    /// When the last line of the pending record arrived; nil when nothing is pending.
    var pendingSinceTime: UInt64? { pending == nil ? nil : pendingSince }

    /// Ships the pending record when no line has arrived for `idle` nanoseconds.
    mutating func flushIfIdle(now: UInt64, idle: UInt64, into out: inout [Record]) {
        guard let p = pending, now &- pendingSince >= idle else { return }
        out.append(p)
        pending = nil
    }

    /// Ships the pending record now.
    mutating func flush(into out: inout [Record]) {
        if let p = pending { out.append(p) }
        pending = nil
    }

    /// Drops the pending record (its source was truncated under it and is read again).
    mutating func discard() {
        pending = nil
    }

    private func canTakeContinuations(_ line: UnsafeRawBufferPointer) -> Bool {
        switch rule {
        case .none: return false
        case .indent: return Self.firstNonSpace(line) != UInt8(ascii: "{")
        case .firstLine: return true
        }
    }

    private func isContinuation(_ line: UnsafeRawBufferPointer) -> Bool {
        switch rule {
        case .none:
            return false
        case .indent:
            if line[0] == 32 || line[0] == 9 { return true }
            return Self.hasPrefix(line, Self.causedBy) || Self.isExceptionHeader(line)
        case .firstLine(let regex):
            let text = String(decoding: line, as: UTF8.self)
            let range = NSRange(text.startIndex..<text.endIndex, in: text)
            return regex.firstMatch(in: text, options: [], range: range) == nil
        }
    }

    private mutating func append(_ line: UnsafeRawBufferPointer, endOffset: Int64, truncated: Bool) {
        guard var p = pending else { return }
        pending = nil
        p.endOffset = endOffset
        p.lines += 1
        if truncated { p.truncated = true }
        let room = maxBytes - p.bytes.count - 1
        if room >= line.count {
            p.bytes.append(10)
            p.bytes.append(contentsOf: line)
        } else {
            p.truncated = true
            if room > 0 {
                let cut = LineSplitter.utf8Cut(line, limit: room)
                p.bytes.append(10)
                p.bytes.append(contentsOf: line[0..<cut])
            }
        }
        pending = p
    }

    private static let causedBy = Array("Caused by:".utf8)
    private static let exceptionSuffixes = ["Exception", "Error", "Throwable"].map { Array($0.utf8) }

    /// `java.lang.IllegalStateException: boom`, `com.x.FooError`: a dotted class name ending in Exception, Error or
    /// Throwable, alone or followed by `:` — the line a Java logger prints after the message of a logged exception.
    static func isExceptionHeader(_ line: UnsafeRawBufferPointer) -> Bool {
        var end = 0
        var dots = 0
        while end < line.count, line[end] != UInt8(ascii: ":") {
            let c = line[end]
            let word = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 95 || c == 36
            if c == UInt8(ascii: ".") { dots += 1 } else if !word { return false }
            end += 1
        }
        guard dots > 0 else { return false }
        let name = UnsafeRawBufferPointer(rebasing: line[0..<end])
        return exceptionSuffixes.contains { suffix in
            name.count > suffix.count && name.suffix(suffix.count).elementsEqual(suffix)
        }
    }

    static func hasPrefix(_ line: UnsafeRawBufferPointer, _ prefix: [UInt8]) -> Bool {
        guard line.count >= prefix.count else { return false }
        for i in 0..<prefix.count where line[i] != prefix[i] { return false }
        return true
    }

    static func firstNonSpace(_ line: UnsafeRawBufferPointer) -> UInt8? {
        line.first(where: { $0 != 32 && $0 != 9 })
    }
}
