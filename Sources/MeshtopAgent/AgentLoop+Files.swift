#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finding files, opening them at the right offset, and following renames, truncation and deletion.
extension AgentLoop {
    /// Expands the paths and globs; new names get a follower.
    func rescan(now: UInt64) {
        var known = Set(followers.map(\.path))
        keysSeenInScan.removeAll(keepingCapacity: true)
        for pattern in config.paths {
            let isGlob = pattern.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" })
            for path in isGlob ? GlobScanner.expand(pattern) : [pattern] where !known.contains(path) {
                known.insert(path)
                let f = FileFollower(
                    path: path, explicit: !isGlob, service: config.service ?? Self.serviceName(path: path),
                    maxLine: config.maxLine, rule: rule)
                followers.append(f)
            }
        }
        for f in followers {
            if let st = FileStatus.of(path: f.path) { keysSeenInScan.insert(st.key) }
            if !f.isOpen { open(f, initial: !firstScanDone) }
        }
        firstScanDone = true
        stats.filesFollowed = followers.filter(\.isOpen).count
        watchDirectories()
    }

    /// Puts an inotify watch on the directory of every path and glob (on each directory a glob's directory part
    /// matches), so creations, deletions and renames there wake the loop. Directories that do not exist yet are
    /// tried again at the next rescan.
    private func watchDirectories() {
        guard let w = watcher else { return }
        for pattern in config.paths {
            let dir = pattern.lastIndex(of: "/").map { String(pattern[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? "."
            let isGlob = dir.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" })
            for d in isGlob ? GlobScanner.directories(dir) : [dir] { w.watchDirectory(d) }
        }
        if w.limitHit && !watchLimitReported {
            watchLimitReported = true
            log(
                "inotify watch limit reached (fs.inotify.max_user_watches): some changes are found by polling "
                    + "every \(config.pollInterval / 1_000_000) ms only")
        }
    }

    /// Reads every open follower once; checks for rotation when a file is drained. True when bytes were read.
    func readFiles(now: UInt64) -> Bool {
        var any = false
        var i = 0
        while i < followers.count {
            let f = followers[i]
            if !f.isOpen { open(f, initial: false) }
            checkContent(f)
            let n = f.pump(buffer: &readBuffer, now: now, stats: &stats, into: &records)
            enqueueRecords(of: f)
            if n > 0 { any = true }
            if n < readBuffer.count || now &- f.lastCheck >= 1_000_000_000 {
                f.lastCheck = now
                let before = f.key
                if !followCheck(f, now: now) {
                    followers.remove(at: i)
                    stats.filesFollowed = followers.filter(\.isOpen).count
                    continue
                }
                // Switched to a new file under the name: another pass reads it at once. Waiting for the next
                // event could wait for ever, since the events about its content may be the ones that woke
                // this pass.
                if f.key != before && f.isOpen { any = true }
            }
            i += 1
        }
        return any
    }

    func enqueueRecords(of f: FileFollower) {
        guard let key = f.key else {
            enqueueRecords(service: f.service, file: f.path, key: nil, generation: 0)
            return
        }
        enqueueRecords(service: f.service, file: f.path, key: key, generation: f.generation)
    }

    /// Handles what happened to the follower's path. Returns false when the follower should be dropped
    /// (a glob match that is gone).
    private func followCheck(_ f: FileFollower, now: UInt64) -> Bool {
        guard let key = f.key else { return true }
        guard let st = FileStatus.of(path: f.path) else {
            // Renamed or deleted: keep reading the old file for a while, a new one may appear under the name.
            if f.missingSince == nil { f.missingSince = now }
            if now &- f.missingSince! >= config.missingGrace, drained(f, now: now) {
                release(f)
                return f.explicit
            }
            return true
        }
        f.missingSince = nil
        if st.key != key {
            // Rotated (logrotate create) or deleted and re-created: read the old file to its end, then switch.
            // Reading goes through the normal loop (one buffer per turn) so the queue stays bounded.
            guard drained(f, now: now) else { return true }
            release(f)
            open(f, initial: false)
            return true
        }
        return true
    }

    /// Reads once more; true when the file had nothing left.
    private func drained(_ f: FileFollower, now: UInt64) -> Bool {
        let n = f.pump(buffer: &readBuffer, now: now, stats: &stats, into: &records)
        enqueueRecords(of: f)
        return n == 0
    }

    /// Before reading: a file smaller than the read offset, or whose first bytes changed, was truncated
    /// (copytruncate) and is read again from 0. Checked before every read so new content written after a
    /// truncation is never read from the old offset.
    private func checkContent(_ f: FileFollower) {
        guard let key = f.key else { return }
        if f.inspect() == .truncated {
            f.restartFromZero(stats: &stats, into: &records)
            enqueueRecords(service: f.service, file: f.path, key: key, generation: f.generation - 1)
            progress[key] = FileProgress(
                path: f.path, fingerprint: .empty, generation: f.generation, readOffset: 0, shippedOffset: 0)
            dirty = true
            if config.verbose { log("\(f.path) was truncated; reading it from the start") }
        }
        if var p = progress[key], p.fingerprint != f.fingerprint {
            p.fingerprint = f.fingerprint
            progress[key] = p
            dirty = true
        }
    }

    /// Closes the follower's file, shipping its last partial line and pending record, and remembers how far it
    /// was read so a later follower of the same file (e.g. a glob matching the rotated name) continues there.
    private func release(_ f: FileFollower) {
        guard let key = f.key else { return }
        let generation = f.generation
        watcher?.unwatchFile(key: key)
        // The fingerprint must cover what was read: once closed, a deleted file's inode can be reused at once
        // by a new file, which must not be taken for this one and read from this offset. (Bytes that arrived
        // after the last size check were read without extending the fingerprint.)
        let read = Fingerprint.read(fd: f.fd, size: f.offset)
        f.detach(stats: &stats, into: &records)
        enqueueRecords(service: f.service, file: f.path, key: key, generation: generation)
        if var p = progress[key] {
            p.readOffset = f.offset
            if let read, read.length > p.fingerprint.length { p.fingerprint = read }
            progress[key] = p
        }
        stats.filesFollowed = followers.filter(\.isOpen).count
    }

    /// Opens the file now under the follower's path, unless another follower already reads it. Where reading
    /// starts: where this file was left (same identity and fingerprint), else its end for a file present at
    /// start (unless `--from-start` or its path is in the state file), else its beginning.
    func open(_ f: FileFollower, initial: Bool) {
        guard let st = FileStatus.of(path: f.path), st.isRegular else { return }
        if followers.contains(where: { $0 !== f && $0.key == st.key }) { return }
        let fd = systemOpen(f.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        guard let actual = FileStatus.of(descriptor: fd) else {
            close(fd)
            return
        }
        let current = Fingerprint.read(fd: fd, size: actual.size) ?? .empty
        var offset: Int64 = 0
        var generation = 0
        if let p = progress[actual.key] {
            let same =
                p.fingerprint.length == 0
                || Fingerprint.read(fd: fd, length: p.fingerprint.length, size: actual.size) == p.fingerprint
            generation = p.generation
            if same && p.readOffset <= actual.size {
                offset = p.readOffset
            } else {
                generation += 1
                progress[actual.key] = FileProgress(
                    path: f.path, fingerprint: current, generation: generation, readOffset: 0, shippedOffset: 0)
            }
        } else {
            if initial && !config.fromStart && !checkpointedPaths.contains(f.path) {
                offset = Self.endOfLastLine(fd: fd, size: actual.size)
            }
            progress[actual.key] = FileProgress(
                path: f.path, fingerprint: current, generation: 0, readOffset: offset, shippedOffset: offset)
        }
        progress[actual.key]!.path = f.path
        progress[actual.key]!.fingerprint = current
        f.attach(descriptor: fd, status: actual, offset: offset, generation: generation, fingerprint: current)
        watcher?.watchFile(key: actual.key, descriptor: fd)
        dirty = true
        stats.filesFollowed = followers.filter(\.isOpen).count
        if config.verbose { log("following \(f.path) from offset \(offset)") }
    }

    /// Drops bookkeeping for files nobody reads any more, that were shipped completely and that no longer exist
    /// under a watched name, so the state file does not grow with every rotation.
    func pruneForgottenFiles() {
        let open = Set(followers.compactMap(\.key))
        for (key, p) in progress where !open.contains(key) && !keysSeenInScan.contains(key) {
            if p.shippedOffset >= p.readOffset, queue[queueHead...].allSatisfy({ $0.key != key }) {
                progress[key] = nil
            }
        }
    }

    /// Where "the end" of a file is when following starts there: just after its last `\n`, so a line being
    /// written at that moment is shipped whole rather than as a fragment (the file's size when the last 64 KiB
    /// hold no newline).
    static func endOfLastLine(fd: Int32, size: Int64) -> Int64 {
        let window = Int(min(size, 65_536))
        guard window > 0 else { return size }
        var buf = [UInt8](repeating: 0, count: window)
        let got = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, window, off_t(size - Int64(window))) }
        guard got == window, let nl = buf.lastIndex(of: 10) else { return size }
        return size - Int64(window) + Int64(nl) + 1
    }

    /// `--service` default: the file name up to its first dot (`/var/log/api.log.1` → `api`).
    static func serviceName(path: String) -> String {
        let base = path.split(separator: "/").last.map(String.init) ?? path
        let stem = base.split(separator: ".", omittingEmptySubsequences: false).first.map(String.init) ?? base
        return stem.isEmpty ? base : stem
    }
}

/// `open(2)`, named apart from `AgentLoop.open(_:initial:)`.
private func systemOpen(_ path: String, _ flags: Int32) -> Int32 {
    #if canImport(Glibc)
    Glibc.open(path, flags)
    #else
    Darwin.open(path, flags)
    #endif
}
