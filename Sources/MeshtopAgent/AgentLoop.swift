import Foundation
import MeshtopModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A line waiting to be sent, and the file offset it lets the checkpoint move to once it is.
struct Outgoing {
    var bytes: [UInt8]
    var key: FileKey?
    var generation: Int
    var endOffset: Int64
}

/// Offset bookkeeping for one file (by identity): how far it was read and how far it was shipped.
struct FileProgress {
    var path: String
    var fingerprint: Fingerprint
    var generation: Int
    /// Where the last follower of this file stopped reading (or the checkpoint, at start).
    var readOffset: Int64
    /// Just after the last line shipped: what the state file records.
    var shippedOffset: Int64
}

/// The agent's single-threaded loop: find files, read, join, encode, rate-limit, send, checkpoint, report.
/// Everything here is confined to the agent's thread.
final class AgentLoop {
    let config: AgentConfig
    let control: AgentControl
    let host: String
    let encoder: LineEncoder
    let rule: MultilineRule
    let shipper: UDPShipper
    let state: StateFile?

    var followers: [FileFollower] = []
    var progress: [FileKey: FileProgress] = [:]
    /// Paths named in the state file: a file there under a new identity is read from its start.
    var checkpointedPaths: Set<String> = []
    var firstScanDone = false
    var keysSeenInScan: Set<FileKey> = []
    var stdin: StdinSource?
    /// inotify watches that wake the loop on change; nil when polling alone finds changes.
    var watcher: FileWatcher?
    var watchLimitReported = false

    var queue: [Outgoing] = []
    var queueHead = 0
    var bucket: TokenBucket?
    var backoff: UInt64
    var nextSendAttempt: UInt64 = 0
    var datagram: [UInt8] = []
    var readBuffer = [UInt8](repeating: 0, count: 256 * 1024)
    var records: [Record] = []
    /// The wall clock of the last batch and its RFC 3339 text, so a batch formats its time once.
    var timeMicros: Int64 = -1
    var timeText: [UInt8] = []

    var stats = AgentStats()
    var reportedStats = AgentStats()
    var dirty = false
    var lastCheckpoint: UInt64 = 0
    var nextRescan: UInt64 = 0
    var nextReport: UInt64 = 0

    /// Largest datagram when several lines are packed (fits a 1500-byte MTU with IPv6 and UDP headers).
    static let packLimit = 1_432

    init(config: AgentConfig, control: AgentControl) throws(AgentError) {
        self.config = config
        self.control = control
        host = config.hostName ?? HostName.current()
        encoder = LineEncoder(format: config.format, host: host)
        shipper = try UDPShipper(destination: config.destination)
        if let pattern = config.multilinePattern {
            do { rule = .firstLine(try NSRegularExpression(pattern: pattern)) } catch {
                throw .multiline(pattern, "not a valid regular expression")
            }
        } else {
            rule = config.format == .auto || config.format == .plain ? .indent : .none
        }
        backoff = config.initialBackoff
        if config.readStdin {
            stdin = StdinSource(
                descriptor: config.stdinDescriptor, service: config.service ?? "stdin", maxLine: config.maxLine,
                rule: rule)
            state = nil
        } else {
            guard !config.paths.isEmpty else { throw .noInput }
            state = config.statePath.map { StateFile(path: $0) }
            let saved = try state?.load() ?? []
            // Rewriting what was read proves at start, not at the first checkpoint, that the file is writable.
            try state?.save(saved)
            for cp in saved {
                progress[cp.key] = FileProgress(
                    path: cp.path,
                    fingerprint: Fingerprint(
                        length: cp.fingerprintLength, hash: UInt64(cp.fingerprint, radix: 16) ?? 0),
                    generation: 0, readOffset: cp.offset, shippedOffset: cp.offset)
                checkpointedPaths.insert(cp.path)
            }
        }
        if !config.readStdin && config.useInotify {
            watcher = FileWatcher()
            if watcher == nil {
                let why = String(cString: strerror(errno))
                let ms = config.pollInterval / 1_000_000
                log("inotify is unavailable (\(why)): changes are found by polling every \(ms) ms")
            }
        }
    }

    /// Runs until stopped (or stdin ends and everything read was sent).
    func run() {
        let start = SystemClock.monotonicNanos()
        if let rate = config.rate { bucket = TokenBucket(rate: rate, now: start) }
        nextReport = start + config.statsInterval
        lastCheckpoint = start
        while !control.stopRequested {
            let now = SystemClock.monotonicNanos()
            var busy = false
            if stdin == nil, now >= nextRescan {
                rescan(now: now)
                nextRescan = now + config.rescanInterval
            }
            if queue.count - queueHead < config.queueLimit {
                busy = readFiles(now: now) || busy
                busy = readStdin(now: now) || busy
            }
            for f in followers {
                f.flushIfIdle(now: now, idle: config.idleFlush, into: &records)
                enqueueRecords(of: f)
            }
            if let s = stdin {
                s.flushIfIdle(now: now, idle: config.idleFlush, into: &records)
                enqueueRecords(service: s.service, file: nil, key: nil, generation: 0)
            }
            busy = sendQueued(now: now) || busy
            if now &- lastCheckpoint >= config.checkpointInterval { checkpoint(now: now) }
            if now >= nextReport { report(now: now) }
            control.publish(stats)
            if let s = stdin, s.ended, queue.count == queueHead { break }
            if !busy { idle(now: now) }
        }
        finish()
    }

    /// Waits for the next poll, a retry, a pending record's idle flush, stop, or an inotify event. An event
    /// that only says a file was written ends the wait `writeWakeDelay` after this pass; any other event (a
    /// name created, deleted or renamed, links changed) ends it at once, so a file is read to its end and a new
    /// one under the same name opened before it can be replaced again.
    private func idle(now: UInt64) {
        var wait = config.pollInterval
        if queue.count > queueHead {
            if nextSendAttempt > now { wait = min(wait, nextSendAttempt - now) }
            if let b = bucket { wait = min(wait, max(b.wait(), 1_000_000)) }
        }
        for since in followers.compactMap(\.pendingSince) + [stdin?.pendingSince].compactMap({ $0 }) {
            let due = since &+ config.idleFlush
            wait = min(wait, due > now ? due - now : 1_000_000)
        }
        if let s = stdin, !s.ended {
            s.waitReadable(timeoutNanos: wait)
            return
        }
        var deadline = now &+ wait
        while !control.stopRequested {
            let t = SystemClock.monotonicNanos()
            guard t < deadline, waitForEvents(nanos: deadline - t), let w = watcher else { return }
            let events = w.drain()
            if events.names { nextRescan = 0 }
            if events.structural { return }
            if events.content { deadline = min(deadline, now &+ config.writeWakeDelay) }
        }
    }

    /// Sleeps in `poll` on the stop pipe and the inotify descriptor; true when inotify has events.
    private func waitForEvents(nanos: UInt64) -> Bool {
        var fds = [
            pollfd(fd: control.wakeDescriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: watcher?.descriptor ?? -1, events: Int16(POLLIN), revents: 0),
        ]
        let ms = Int32(min((nanos + 999_999) / 1_000_000, 60_000))
        return poll(&fds, 2, ms) > 0 && fds[1].revents != 0
    }

    /// On stop: ship what is queued while the collector takes it (for at most a second), then checkpoint.
    private func finish() {
        let deadline = SystemClock.monotonicNanos() + 1_000_000_000
        while queue.count > queueHead {
            let now = SystemClock.monotonicNanos()
            if now >= deadline { break }
            if !sendQueued(now: now) { usleep(5_000) }
        }
        checkpoint(now: SystemClock.monotonicNanos())
        stats.filesFollowed = 0
        for f in followers where f.isOpen {
            var ignored: [Record] = []
            f.detach(stats: &stats, into: &ignored)
        }
        control.publish(stats)
    }

    /// Encodes `records` (of one follower, or of every follower after idle flushes) into the send queue.
    func enqueueRecords(service: String, file: String?, key: FileKey?, generation: Int) {
        guard !records.isEmpty else { return }
        let now = config.wallClock()
        if now != timeMicros {
            timeMicros = now
            timeText = LineEncoder.timeText(now)
        }
        for r in records {
            let bytes = encoder.encode(r, service: service, file: file, time: timeText)
            queue.append(Outgoing(bytes: bytes, key: key, generation: generation, endOffset: r.endOffset))
        }
        records.removeAll(keepingCapacity: true)
    }

    /// Packs queued lines into datagrams and sends them, within the rate limit. Stops at the first failure and
    /// retries the same lines later with backoff: nothing is skipped.
    func sendQueued(now: UInt64) -> Bool {
        guard queue.count > queueHead, now >= nextSendAttempt else { return false }
        var sent = false
        while queueHead < queue.count {
            var allowed = queue.count - queueHead
            if bucket != nil { allowed = bucket!.available(now: now, wanted: allowed) }
            guard allowed > 0 else { break }
            datagram.removeAll(keepingCapacity: true)
            var count = 0
            while count < allowed, queueHead + count < queue.count {
                let line = queue[queueHead + count].bytes
                if count > 0, datagram.count + 1 + line.count > Self.packLimit { break }
                if count > 0 { datagram.append(10) }
                datagram.append(contentsOf: line)
                count += 1
            }
            let err = datagram.withUnsafeBytes { shipper.send($0) }
            if err != 0 {
                stats.sendErrors += 1
                nextSendAttempt = now + backoff
                backoff = min(backoff * 2, config.maxBackoff)
                if config.verbose { log("send to \(shipper.destination) failed: \(String(cString: strerror(err)))") }
                break
            }
            backoff = config.initialBackoff
            bucket?.take(count)
            for i in queueHead..<(queueHead + count) { markShipped(queue[i]) }
            stats.linesSent += count
            queueHead += count
            sent = true
        }
        if queueHead > 4_096, queueHead * 2 > queue.count {
            queue.removeFirst(queueHead)
            queueHead = 0
        } else if queueHead == queue.count {
            queue.removeAll(keepingCapacity: true)
            queueHead = 0
        }
        return sent
    }

    private func markShipped(_ line: Outgoing) {
        guard let key = line.key, var p = progress[key], p.generation == line.generation else { return }
        p.shippedOffset = line.endOffset
        progress[key] = p
        dirty = true
    }

    /// Writes the state file if anything was shipped since the last write.
    func checkpoint(now: UInt64) {
        lastCheckpoint = now
        guard dirty, let state else { return }
        pruneForgottenFiles()
        var files: [FileCheckpoint] = []
        for (key, p) in progress {
            files.append(
                FileCheckpoint(
                    path: p.path, device: key.device, inode: key.inode, fingerprint: p.fingerprint.hex,
                    fingerprintLength: p.fingerprint.length, offset: p.shippedOffset))
        }
        files.sort { ($0.path, $0.inode) < ($1.path, $1.inode) }
        do throws(AgentError) {
            try state.save(files)
            dirty = false
        } catch {
            log(error.description)
        }
    }

    private func report(now: UInt64) {
        nextReport = now + config.statsInterval
        let lines = stats.statsdLines(since: reportedStats, host: host)
        reportedStats = stats
        let payload = Array(lines.joined(separator: "\n").utf8)
        _ = payload.withUnsafeBytes { shipper.send($0) }
        if config.verbose { log(lines.joined(separator: "\n")) }
    }

    func log(_ message: String) {
        FileHandle.standardError.write(Data(("meshtop agent: " + message + "\n").utf8))
    }

    private func readStdin(now: UInt64) -> Bool {
        guard let s = stdin else { return false }
        let n = s.pump(buffer: &readBuffer, now: now, stats: &stats, into: &records)
        enqueueRecords(service: s.service, file: nil, key: nil, generation: 0)
        return n > 0
    }
}
