#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Cuts a byte stream into lines at `\n` (a trailing `\r` is dropped). A line longer than `maxLine` bytes is cut
/// at a UTF-8 boundary and flagged; the rest of that physical line is skipped, so it never turns into extra lines.
/// Memory stays bounded by `maxLine` however long a line is.
struct LineSplitter {
    let maxLine: Int
    private var partial: [UInt8] = []
    /// The current unfinished line already went past `maxLine`; bytes up to its `\n` are dropped.
    private var overflow = false

    init(maxLine: Int) {
        self.maxLine = max(1, maxLine)
    }

    /// Bytes of an unfinished line held back (for tests and accounting).
    var heldBytes: Int { partial.count }

    /// Splits `chunk`, which starts at stream offset `base`. `emit(line, endOffset, truncated)` is called for
    /// every complete line; `endOffset` is the offset just after its `\n`.
    mutating func feed(
        _ chunk: UnsafeRawBufferPointer, base: Int64, _ emit: (UnsafeRawBufferPointer, Int64, Bool) -> Void
    ) {
        guard let p = chunk.baseAddress else { return }
        let count = chunk.count
        var start = 0
        while start < count {
            guard let hit = memchr(p + start, 10, count - start) else {
                hold(UnsafeRawBufferPointer(start: p + start, count: count - start))
                return
            }
            let nl = p.distance(to: UnsafeRawPointer(hit))
            let end = base + Int64(nl + 1)
            let segment = UnsafeRawBufferPointer(start: p + start, count: nl - start)
            if partial.isEmpty && !overflow {
                let line = Self.dropCR(segment)
                let cut = Self.utf8Cut(line, limit: maxLine)
                emit(UnsafeRawBufferPointer(rebasing: line[0..<cut]), end, cut < line.count)
            } else {
                if !overflow { hold(segment) }
                if !overflow, partial.last == 13 { partial.removeLast() }
                let truncated = overflow
                partial.withUnsafeBytes { emit($0, end, truncated) }
                partial.removeAll(keepingCapacity: partial.count <= 65_536)
                overflow = false
            }
            start = nl + 1
        }
    }

    /// The unfinished line, if any, as a last line (used when a file is abandoned after rotation).
    mutating func flush(_ emit: (UnsafeRawBufferPointer, Bool) -> Void) {
        guard !partial.isEmpty || overflow else { return }
        if !overflow, partial.last == 13 { partial.removeLast() }
        let truncated = overflow
        partial.withUnsafeBytes { emit($0, truncated) }
        reset()
    }

    /// Forgets any unfinished line.
    mutating func reset() {
        partial.removeAll()
        overflow = false
    }

    private mutating func hold(_ bytes: UnsafeRawBufferPointer) {
        guard !overflow else { return }
        let room = maxLine - partial.count
        if bytes.count <= room {
            partial.append(contentsOf: bytes)
            return
        }
        // Keep one byte past the limit so the cut can see whether a character straddles it.
        partial.append(contentsOf: bytes[0..<(room + 1)])
        let cut = partial.withUnsafeBytes { Self.utf8Cut($0, limit: maxLine) }
        partial.removeSubrange(cut...)
        overflow = true
    }

    static func dropCR(_ line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        if let last = line.last, last == 13 { return UnsafeRawBufferPointer(rebasing: line.dropLast()) }
        return line
    }

    /// The largest prefix length ≤ `limit` that does not split a UTF-8 sequence.
    static func utf8Cut(_ bytes: UnsafeRawBufferPointer, limit: Int) -> Int {
        guard bytes.count > limit else { return bytes.count }
        var cut = limit
        while cut > 0, bytes[cut] & 0xC0 == 0x80 { cut -= 1 }
        return cut
    }
}
