#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads one path like `tail -F`: an open descriptor on the file currently under that name, the read offset, and
/// the line splitter and multi-line joiner of that file. Which file to open and where to start is decided by the
/// agent loop (it knows the offsets of every file it has seen); this type only reads and assembles records.
final class FileFollower {
    let path: String
    /// Named on the command line (kept and waited for when missing) rather than found by a glob.
    let explicit: Bool
    let service: String
    private(set) var fd: Int32 = -1
    private(set) var key: FileKey?
    /// Bumped on truncation, so offsets of lines read before it never become the checkpoint afterwards.
    private(set) var generation = 0
    private(set) var offset: Int64 = 0
    private(set) var fingerprint = Fingerprint.empty
    /// When the path was first seen missing while the old file stays open.
    var missingSince: UInt64?
    /// When rotation was last checked.
    var lastCheck: UInt64 = 0
    private var lastSize: Int64 = -1
    private var assembler: RecordAssembler

    init(path: String, explicit: Bool, service: String, maxLine: Int, rule: MultilineRule) {
        self.path = path
        self.explicit = explicit
        self.service = service
        assembler = RecordAssembler(maxLine: maxLine, rule: rule)
    }

    deinit { if fd >= 0 { close(fd) } }

    var isOpen: Bool { fd >= 0 }

    /// Starts reading `descriptor` (the file `status` describes) at `offset`.
    func attach(descriptor: Int32, status: FileStatus, offset: Int64, generation: Int, fingerprint: Fingerprint) {
        fd = descriptor
        key = status.key
        self.offset = offset
        self.generation = generation
        self.fingerprint = fingerprint
        lastSize = status.size
        missingSince = nil
        assembler.reset()
    }

    /// Reads up to `buffer.count` bytes and assembles records into `out`. Returns the bytes read (0 at the end).
    func pump(buffer: inout [UInt8], now: UInt64, stats: inout AgentStats, into out: inout [Record]) -> Int {
        guard fd >= 0 else { return 0 }
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
        guard n > 0 else { return 0 }
        let base = offset
        offset += Int64(n)
        buffer.withUnsafeBytes { raw in
            let chunk = UnsafeRawBufferPointer(rebasing: raw[0..<n])
            assembler.feed(chunk, base: base, now: now, stats: &stats, into: &out)
        }
        return n
    }

    /// Ships a multi-line record that has waited `idle` nanoseconds for more lines.
    func flushIfIdle(now: UInt64, idle: UInt64, into out: inout [Record]) {
        assembler.flushIfIdle(now: now, idle: idle, into: &out)
    }

    /// When the record waiting for continuation lines got its last line; nil when none waits.
    var pendingSince: UInt64? { assembler.pendingSince }

    /// Ends the current file: its unfinished last line and pending record become records; the descriptor closes.
    func detach(stats: inout AgentStats, into out: inout [Record]) {
        assembler.finish(endOffset: offset, stats: &stats, into: &out)
        if fd >= 0 { close(fd) }
        fd = -1
        key = nil
    }

    /// The file was truncated (copytruncate) or rewritten: what was pending is shipped, reading restarts at 0.
    func restartFromZero(stats: inout AgentStats, into out: inout [Record]) {
        assembler.finish(endOffset: offset, stats: &stats, into: &out)
        generation += 1
        offset = 0
        lastSize = -1
        fingerprint = .empty
    }

    /// What changed about the open file since the last look.
    enum Change {
        case none
        /// Smaller than the read offset, or its first bytes differ: copytruncate.
        case truncated
    }

    /// Compares the open file with what was read: size and fingerprint. Extends the fingerprint as it grows.
    func inspect() -> Change {
        guard fd >= 0, let st = FileStatus.of(descriptor: fd) else { return .none }
        if st.size < offset { return .truncated }
        guard st.size != lastSize else { return .none }
        lastSize = st.size
        if fingerprint.length > 0 {
            guard let now = Fingerprint.read(fd: fd, length: fingerprint.length, size: st.size),
                now == fingerprint
            else { return .truncated }
        }
        if fingerprint.length < Fingerprint.maxLength, st.size > Int64(fingerprint.length),
            let longer = Fingerprint.read(fd: fd, size: st.size)
        {
            fingerprint = longer
        }
        return .none
    }
}
