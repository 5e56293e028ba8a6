import MeshtopModel
import MeshtopWire

/// `meshtop bench decode`: the event loop's decode cost per line, without sockets, queue or SQLite — the part
/// of a line's collector CPU that is the decoders' own (docs/benchmarks.md, "Decode cost per line"). Each
/// format's lines are decoded one datagram per line, as the load generator of `../shared/bench/peers` sends
/// them, into a record list emptied (capacity kept) every 4,096 lines like an ingest chunk.
public enum DecodeBenchmark {
    /// One format's lines: 1,000 distinct lines, repeated.
    struct Corpus {
        var name: String
        var lines: [[UInt8]]
    }

    static let words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda omicron sigma omega"
        .split(separator: " ").map(String.init)

    /// The peer benchmark's 150-byte RFC 5424 line, StatsD counters and timers alternating, a JSON log, logfmt.
    static func corpora() -> [Corpus] {
        var syslog: [[UInt8]] = []
        var statsd: [[UInt8]] = []
        var json: [[UInt8]] = []
        var logfmt: [[UInt8]] = []
        for k in 0..<1_000 {
            let second = k % 60 < 10 ? "0\(k % 60)" : "\(k % 60)"
            var line = "<14>1 2026-11-26T22:00:\(second).\(String(100_000 + k).dropFirst())Z host app-\(k % 50)"
            line += " - - - message number \(k) with some text"
            var w = k
            while line.utf8.count < 150 {
                line += " " + words[w % words.count]
                w = (w &* 31 &+ 7) & 0xFFFF
            }
            syslog.append(Array(line.utf8.prefix(150)))
            statsd.append(
                Array(
                    (k % 2 == 0 ? "svc\(k / 2 % 50).requests:1|c" : "svc\(k / 2 % 50).latency:\(k % 500 + 1)|ms").utf8))
            let time = "2026-11-26T22:00:\(second).123Z"
            let jsonLine =
                #"{"ts":"\#(time)","level":"info","service":"app-\#(k % 50)","msg":"message number \#(k)","#
                + #""trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}"#
            json.append(Array(jsonLine.utf8))
            let logfmtLine = "ts=\(time) level=warn service=app-\(k % 50) msg=\"message number \(k)\" took=12ms"
            logfmt.append(Array(logfmtLine.utf8))
        }
        return [
            Corpus(name: "syslog RFC 5424 (150 B)", lines: syslog), Corpus(name: "statsd", lines: statsd),
            Corpus(name: "json log", lines: json), Corpus(name: "logfmt", lines: logfmt),
        ]
    }

    /// Decodes `lines` lines of each format `rounds` times; prints the median ns per line and lines per second.
    public static func run(lines: Int = 1_000_000, rounds: Int = 5) -> String {
        let clock = ContinuousClock()
        var out = "decode, one datagram per line, median of \(rounds) rounds of \(lines) lines\n"
        out += "format                      ns/line    lines/s   records\n"
        for corpus in corpora() {
            var times: [Double] = []
            var records = 0
            for _ in 0..<max(1, rounds) {
                var decoded: [Decoded] = []
                decoded.reserveCapacity(4_096)
                records = 0
                let context = DecodeContext(receivedAtMicros: 1_764_194_400_000_000, sourceHost: "127.0.0.1")
                let elapsed = clock.measure {
                    for i in 0..<lines {
                        corpus.lines[i % corpus.lines.count].withUnsafeBytes { bytes in
                            WireDecoder.decode(datagram: bytes, context: context, into: &decoded)
                        }
                        if decoded.count >= 4_096 {
                            records += decoded.count
                            decoded.removeAll(keepingCapacity: true)
                        }
                    }
                }
                records += decoded.count
                times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            }
            times.sort()
            let ns = times[times.count / 2] * 1e9 / Double(max(lines, 1))
            out += corpus.name.padding(toLength: 26, withPad: " ", startingAt: 0)
            out += String(Int(ns.rounded())).leftPadded(9) + String(Int((1e9 / ns).rounded())).leftPadded(11)
            out += String(records).leftPadded(10) + "\n"
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
