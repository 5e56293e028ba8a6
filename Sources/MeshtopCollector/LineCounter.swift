/// Counts the lines of one datagram the way the decoders split it (SPEC §2): lines are separated by `\n`;
/// a trailing `\r` or NUL belongs to the terminator; empty lines are not lines. A Jaeger `emitBatch`
/// (first byte 0x82) is one binary message and counts as one line.
enum LineCounter {
    static func count(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard let first = bytes.first else { return 0 }
        if first == 0x82 { return 1 }
        var lines = 0
        var start = 0
        let n = bytes.count
        while start < n {
            var end = start
            while end < n, bytes[end] != 0x0A { end += 1 }
            var stop = end
            while stop > start, bytes[stop - 1] == 0x0D || bytes[stop - 1] == 0 { stop -= 1 }
            if stop > start { lines += 1 }
            start = end + 1
        }
        return lines
    }
}
