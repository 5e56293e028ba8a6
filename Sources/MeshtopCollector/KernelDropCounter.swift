import Foundation
import MeshtopModel

#if canImport(Glibc)
import Glibc
#endif

/// Counts the datagrams the kernel dropped on the collector's own UDP sockets (the `drops` column of
/// `/proc/net/udp` and `/proc/net/udp6`: receive buffer full). The sockets are found once, after binding, as the
/// rows on our ports whose inode is one of this process's open sockets (another process on the same port with
/// `SO_REUSEPORT` is not counted). Not Linux, or no `/proc`: always 0.
final class KernelDropCounter: @unchecked Sendable {
    private let inodes: Set<UInt64>
    private var last: Int64
    private var lastPoll: Int64
    private let interval: Int64
    private let tables: [String]

    /// Finds our sockets on `ports`; nil when there are none to watch.
    init?(ports: Set<Int>, intervalMicros: Int64 = 1_000_000, tables: [String] = KernelDropCounter.procTables) {
        let mine = Self.openSocketInodes()
        var found = Set<UInt64>()
        for table in tables {
            for row in Self.rows(table) where ports.contains(row.port) && mine.contains(row.inode) {
                found.insert(row.inode)
            }
        }
        guard !found.isEmpty else { return nil }
        self.inodes = found
        self.tables = tables
        self.interval = intervalMicros
        self.lastPoll = SystemClock.monotonicMicros()
        self.last = 0
        self.last = total()
    }

    static let procTables = ["/proc/self/net/udp", "/proc/self/net/udp6"]

    /// Sockets watched.
    var socketCount: Int { inodes.count }

    /// Drops since the previous poll; 0 until `intervalMicros` have passed since it (one caller: the writer).
    func poll(now: Int64 = SystemClock.monotonicMicros()) -> Int64 {
        guard now - lastPoll >= interval else { return 0 }
        lastPoll = now
        let t = total()
        defer { last = max(last, t) }
        return max(0, t - last)
    }

    private func total() -> Int64 {
        var sum: Int64 = 0
        for table in tables {
            for row in Self.rows(table) where inodes.contains(row.inode) { sum += row.drops }
        }
        return sum
    }

    struct Row: Equatable {
        var port: Int
        var inode: UInt64
        var drops: Int64
    }

    /// The rows of one `/proc/net/udp`-style table: `sl local_address rem_address st tx:rx tr:tm retrnsmt uid
    /// timeout inode ref pointer drops`, local port in hex after the colon.
    static func rows(_ path: String) -> [Row] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return parse(String(decoding: data, as: UTF8.self))
    }

    static func parse(_ text: String) -> [Row] {
        var out: [Row] = []
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count >= 13, let colon = f[1].lastIndex(of: ":"),
                let port = Int(f[1][f[1].index(after: colon)...], radix: 16), let inode = UInt64(f[9]),
                let drops = Int64(f[12])
            else { continue }
            out.append(Row(port: port, inode: inode, drops: drops))
        }
        return out
    }

    /// Inodes of this process's open sockets (`/proc/self/fd/N -> socket:[inode]`).
    static func openSocketInodes() -> Set<UInt64> {
        var out = Set<UInt64>()
        guard let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return out }
        for fd in fds {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + fd),
                target.hasPrefix("socket:["), target.hasSuffix("]")
            else { continue }
            if let inode = UInt64(target.dropFirst(8).dropLast()) { out.insert(inode) }
        }
        return out
    }
}
