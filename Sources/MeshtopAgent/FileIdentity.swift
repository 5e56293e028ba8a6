#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which file (not which name): device and inode.
struct FileKey: Hashable, Sendable {
    var device: UInt64
    var inode: UInt64
}

/// What `stat`/`fstat` says about a file.
struct FileStatus {
    var key: FileKey
    var size: Int64
    var isRegular: Bool

    static func of(path: String) -> FileStatus? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return FileStatus(st)
    }

    static func of(descriptor fd: Int32) -> FileStatus? {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        return FileStatus(st)
    }

    private init(_ st: stat) {
        key = FileKey(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
        size = Int64(st.st_size)
        isRegular = (st.st_mode & S_IFMT) == S_IFREG
    }
}

/// A hash (FNV-1a, 64 bits) of a file's first bytes, up to 256: tells a file replaced under a reused inode, or
/// truncated and rewritten, from the one whose offset was saved.
struct Fingerprint: Equatable, Sendable {
    static let maxLength = 256
    var length: Int
    var hash: UInt64

    static let empty = Fingerprint(length: 0, hash: 0)

    /// Reads the first `min(maxLength, size)` bytes of `fd` (or exactly `length` when given).
    static func read(fd: Int32, length wanted: Int? = nil, size: Int64) -> Fingerprint? {
        let n = wanted ?? Int(min(Int64(maxLength), size))
        guard n > 0 else { return .empty }
        var buf = [UInt8](repeating: 0, count: n)
        let got = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, n, 0) }
        guard got == n else { return nil }
        return Fingerprint(length: n, hash: fnv1a(buf))
    }

    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return h
    }

    var hex: String {
        let s = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
