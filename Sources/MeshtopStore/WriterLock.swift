import Foundation
import MeshtopModel

/// The single-writer guard: `PATH.lock` beside the database, held with `flock(LOCK_EX | LOCK_NB)` for as long as
/// the writing store lives, and holding the writer's pid so a second writer can name it. The kernel drops the
/// lock when the process dies, so a crash leaves no stale lock; the file itself stays (removing it would race
/// with a writer that has just opened it).
final class WriterLock: Sendable {
    let path: String
    private let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// The lock file of the database at `databasePath`.
    static func lockPath(for databasePath: String) -> String { databasePath + ".lock" }

    /// Takes the lock, or throws `StoreError.locked` naming the process that holds it.
    static func acquire(databasePath: String) throws(StoreError) -> WriterLock {
        let path = lockPath(for: databasePath)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw .unwritable(
                databasePath, reason: "cannot create the lock file \(path): \(String(cString: strerror(errno)))")
        }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            let failure = errno
            let holder = failure == EWOULDBLOCK ? holderDescription(fd) : nil
            close(fd)
            guard let holder else {
                throw .unwritable(
                    databasePath, reason: "cannot lock \(path): \(String(cString: strerror(failure)))")
            }
            throw .locked(databasePath, holder: holder)
        }
        let lock = WriterLock(path: path, descriptor: fd)
        _ = ftruncate(fd, 0)
        lock.setStatus("")
        return lock
    }

    /// The lock file is `pid\nstatus\n` padded with spaces to a fixed size, always rewritten in place: the block
    /// is allocated when the writer starts, so the status can be updated even when the disk is full.
    static let fileBytes = 256

    /// Rewrites the status line ("" when all is well, e.g. "disk full since …" while commits fail).
    func setStatus(_ status: String) {
        var text =
            "\(getpid())\n" + String(status.prefix(Self.fileBytes - 24)).replacingOccurrences(of: "\n", with: " ")
            + "\n"
        text += String(repeating: " ", count: max(0, Self.fileBytes - text.utf8.count))
        _ = text.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    /// The status a live writer of `databasePath` published, nil when there is none or its process is gone.
    static func status(databasePath: String) -> String? {
        guard let data = FileManager.default.contents(atPath: lockPath(for: databasePath)) else { return nil }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 2, let pid = Int32(lines[0].trimmingCharacters(in: .whitespaces)), pid > 0,
            kill(pid, 0) == 0 || errno == EPERM
        else { return nil }
        let status = lines[1].trimmingCharacters(in: .whitespaces)
        return status.isEmpty ? nil : status
    }

    /// "pid 1234 (meshtop collect --db x.db)" from the lock file and `/proc`, or what is known of it.
    private static func holderDescription(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 32, 0) }
        let text = String(decoding: buffer.prefix(max(0, n)), as: UTF8.self)
        let firstLine = text.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
        guard let pid = Int32(firstLine.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0 else {
            return "another process (it has not written its pid yet)"
        }
        guard let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !raw.isEmpty else {
            return "pid \(pid)"
        }
        let words = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        let command = ([(words.first.map { ($0 as NSString).lastPathComponent } ?? "")] + words.dropFirst())
            .joined(separator: " ")
        return "pid \(pid) (\(Sanitizer.escape(String(command.prefix(200)))))"
    }
}
