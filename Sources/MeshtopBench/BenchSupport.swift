import Foundation
import MeshtopModel
import MeshtopNet

/// The sending side of `meshtop bench ingest`, run in its own process so the collector's CPU is measured alone.
public enum BenchSender {
    /// Sends `rate` lines/s for `micros` to `target`, paced every ~100 µs. Returns lines and datagrams sent.
    public static func run(target: HostPort, rate: Int, micros: Int64, mix: BenchTraffic.Mix, seed: UInt64) throws
        -> (lines: Int64, datagrams: Int64)
    {
        let sender = try UDPSender(target: target)
        var traffic = BenchTraffic(mix: mix, seed: seed &* 0x9E37_79B9_7F4A_7C15)
        var lines: Int64 = 0
        var datagrams: Int64 = 0
        let start = SystemClock.monotonicMicros()
        while true {
            let elapsed = SystemClock.monotonicMicros() - start
            if elapsed >= micros { break }
            let due = Int64(Double(rate) * Double(elapsed) / 1_000_000) - lines
            if due <= 0 {
                usleep(100)
                continue
            }
            let n = Int(min(due, 4_000))
            traffic.generate(lines: n, nowMicros: SystemClock.wallMicros()) { d in
                if sender.send(d) { datagrams += 1 }
            }
            lines += Int64(n)
        }
        traffic.flush { d in
            if sender.send(d) { datagrams += 1 }
        }
        return (lines, datagrams)
    }
}

/// Kernel UDP counters from `/proc/net/snmp` (Linux): datagrams dropped because a receive buffer was full.
public enum KernelUDP {
    public static func receiveErrors() -> Int64 {
        guard let text = try? String(contentsOfFile: "/proc/net/snmp", encoding: .utf8) else { return 0 }
        let rows = text.split(separator: "\n").filter { $0.hasPrefix("Udp:") }
        guard rows.count >= 2 else { return 0 }
        let names = rows[0].split(separator: " ")
        let values = rows[1].split(separator: " ")
        guard let i = names.firstIndex(of: "RcvbufErrors"), i < values.count else { return 0 }
        return Int64(values[i]) ?? 0
    }
}

/// Samples this process's resident memory (VmRSS) and per-thread CPU every 200 ms; keeps the peak RSS and the
/// last CPU reading of every thread (threads that ended keep their final value).
public final class RSSSampler: @unchecked Sendable {
    private let lock = NSLock()
    private var peakKB: Int64 = 0
    private var running = true
    private var cpuByThread: [String: (name: String, seconds: Double)] = [:]

    public init() {}

    public func start() {
        Thread.detachNewThread { [self] in
            while self.lock.withLock({ self.running }) {
                let kb = Self.currentKB()
                let cpu = ThreadCPU.byThread()
                self.lock.withLock {
                    self.peakKB = max(self.peakKB, kb)
                    for (tid, reading) in cpu { self.cpuByThread[tid] = reading }
                }
                usleep(200_000)
            }
        }
    }

    public func stop() { lock.withLock { running = false } }

    public var peakMB: Int64 { lock.withLock { peakKB / 1024 } }

    /// CPU seconds by thread name, as last sampled.
    public var cpuSeconds: [String: Double] {
        lock.withLock {
            var out: [String: Double] = [:]
            for (_, r) in cpuByThread { out[r.name, default: 0] += r.seconds }
            return out
        }
    }

    public static func currentKB() -> Int64 {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        return Int64(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }
}

/// CPU time per thread of this process (Linux `/proc/self/task/*/stat`), to show where ingest time goes even on
/// a machine shared with other work.
public enum ThreadCPU {
    /// Thread id → (name, CPU seconds user + system).
    public static func byThread() -> [String: (name: String, seconds: Double)] {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var out: [String: (name: String, seconds: Double)] = [:]
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") else { return out }
        for tid in tasks {
            guard let stat = try? String(contentsOfFile: "/proc/self/task/\(tid)/stat", encoding: .utf8),
                let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
            else { continue }
            let name = String(stat[stat.index(after: open)..<close])
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            // After the name: state(0) ppid(1) … utime(11) stime(12).
            guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
            out[tid] = (name, (user + system) / ticks)
        }
        return out
    }
}
