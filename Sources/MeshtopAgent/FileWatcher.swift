import Glibc

/// Linux inotify for the agent loop, as `tail -F` uses it: watches on every open followed file and on the
/// directories of the followed paths and globs, so the loop wakes as soon as a file grows, is created, deleted,
/// renamed or has its link count changed, instead of at the next poll. It only says *that* something happened:
/// what happened is found out by the loop's usual `stat`/`fstat`/`pread` pass, so polling (which keeps running
/// as a safety net) and inotify share one code path.
final class FileWatcher {
    /// What one `drain()` found.
    struct Events {
        /// A name appeared, vanished or was renamed in a watched directory, a followed file was deleted, renamed
        /// or its links changed, or the kernel's event queue overflowed: worth a pass at once (a file may be
        /// about to disappear, a new one must be opened before it does).
        var structural = false
        /// A name was added to or removed from a watched directory (or events were lost): globs are expanded again.
        var names = false
        /// Only content changed (a file was written): a pass may wait a little to batch writes.
        var content = false
    }

    let descriptor: Int32
    /// Set once the kernel refused a watch for lack of resources (`max_user_watches`): changes to what is not
    /// watched are found by polling only.
    private(set) var limitHit = false
    private var directories: [String: Int32] = [:]
    private var directoryWatches: Set<Int32> = []
    private var files: [FileKey: Int32] = [:]
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    private static let fileMask =
        UInt32(IN_MODIFY) | UInt32(IN_CLOSE_WRITE) | UInt32(IN_ATTRIB) | UInt32(IN_DELETE_SELF)
        | UInt32(IN_MOVE_SELF)
    private static let directoryMask =
        fileMask | UInt32(IN_CREATE) | UInt32(IN_MOVED_TO) | UInt32(IN_MOVED_FROM) | UInt32(IN_DELETE)
        | UInt32(IN_ONLYDIR)
    private static let contentMask = UInt32(IN_MODIFY) | UInt32(IN_CLOSE_WRITE)
    private static let nameMask =
        UInt32(IN_CREATE) | UInt32(IN_MOVED_TO) | UInt32(IN_MOVED_FROM) | UInt32(IN_DELETE) | UInt32(IN_Q_OVERFLOW)

    /// nil when inotify is not available (not Linux, or `max_user_instances` reached).
    init?() {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Watches `path` (a directory) unless it already is. A directory that does not exist yet is tried again on
    /// the next call.
    func watchDirectory(_ path: String) {
        guard directories[path] == nil else { return }
        let wd = inotify_add_watch(descriptor, path, Self.directoryMask)
        guard wd >= 0 else {
            noteFailure()
            return
        }
        directories[path] = wd
        directoryWatches.insert(wd)
    }

    /// Watches the file open as `fd` (by its descriptor, so it is the file being read even if its name already
    /// points elsewhere, or nowhere).
    func watchFile(key: FileKey, descriptor fd: Int32) {
        guard files[key] == nil else { return }
        let wd = inotify_add_watch(descriptor, "/proc/self/fd/\(fd)", Self.fileMask)
        guard wd >= 0 else {
            noteFailure()
            return
        }
        files[key] = wd
    }

    /// Stops watching a file that is no longer read.
    func unwatchFile(key: FileKey) {
        guard let wd = files.removeValue(forKey: key) else { return }
        // The directory watches are on other inodes, so they never share this descriptor.
        _ = inotify_rm_watch(descriptor, wd)
    }

    /// Reads every queued event without blocking and sums them up.
    func drain() -> Events {
        var events = Events()
        while true {
            let n = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            buffer.withUnsafeBytes { raw in
                var at = 0
                while at + MemoryLayout<inotify_event>.size <= n {
                    let wd = raw.loadUnaligned(fromByteOffset: at, as: Int32.self)
                    let mask = raw.loadUnaligned(fromByteOffset: at + 4, as: UInt32.self)
                    let len = raw.loadUnaligned(fromByteOffset: at + 12, as: UInt32.self)
                    at += MemoryLayout<inotify_event>.size + Int(len)
                    note(wd: wd, mask: mask, into: &events)
                }
            }
        }
        return events
    }

    private func note(wd: Int32, mask: UInt32, into events: inout Events) {
        if mask & UInt32(IN_IGNORED) != 0 {
            // The watch is gone (its directory was deleted, or its file freed): let the next rescan add it again.
            if directoryWatches.remove(wd) != nil {
                directories = directories.filter { $0.value != wd }
                events.names = true
                events.structural = true
            } else if let key = files.first(where: { $0.value == wd })?.key {
                files[key] = nil
            }
            return
        }
        if mask & Self.nameMask != 0 && (directoryWatches.contains(wd) || mask & UInt32(IN_Q_OVERFLOW) != 0) {
            events.names = true
        }
        if mask & ~Self.contentMask != 0 {
            events.structural = true
        } else {
            events.content = true
        }
    }

    private func noteFailure() {
        if errno == ENOSPC || errno == ENOMEM { limitHit = true }
    }
}
