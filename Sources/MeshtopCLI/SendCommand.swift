import ArgumentParser
import Foundation
import MeshtopNet

/// `meshtop send`: lines from arguments or stdin to a collector over UDP, like `logger` or `nc -u`.
public struct SendCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send lines (arguments, else stdin) to a collector over UDP.",
        discussion: """
            Lines are packed into datagrams of at most 1432 bytes, joined with newlines (a longer line goes alone, \
            up to 65,507 bytes). With --hex every input line is one datagram written as hex, the format of the \
            wire fixtures (*.datagrams).
            """)

    @Option(help: "Collector address HOST:PORT.")
    public var to: String = "127.0.0.1:8125"

    @Flag(help: "Each line is one datagram in hex.")
    public var hex = false

    @Flag(name: .shortAndLong, help: "Print how much was sent.")
    public var verbose = false

    @Argument(help: "Lines to send (default: read stdin).")
    public var lines: [String] = []

    public init() {}

    public func run() throws {
        guard let target = HostPort(to) else {
            throw ValidationError("--to \(to): expected HOST:PORT, e.g. 127.0.0.1:8125")
        }
        let sender: UDPSender
        do {
            sender = try UDPSender(target: target)
        } catch {
            throw MeshtopError("\(error)", code: MeshtopExit.usage)
        }
        var packer = DatagramPacker()
        var datagrams = 0
        var sentLines = 0
        var failed = 0
        let emit: ([UInt8]) -> Void = { bytes in
            if sender.send(bytes) { datagrams += 1 } else { failed += 1 }
        }
        let handle: ([UInt8]) throws -> Void = { line in
            if hex {
                let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespaces)
                guard !text.isEmpty else { return }
                guard let bytes = Self.decodeHex(text) else {
                    throw ValidationError("--hex: not a hex line: \(text.prefix(40))")
                }
                emit(bytes)
            } else {
                guard !line.isEmpty else { return }
                packer.add(line, emit: emit)
            }
            sentLines += 1
        }
        if lines.isEmpty {
            try StdinLines.forEach(handle)
        } else {
            for line in lines { try handle(Array(line.utf8)) }
        }
        packer.flush(emit: emit)
        if packer.oversized > 0 {
            FileHandle.standardError.write(
                Data("meshtop send: skipped \(packer.oversized) lines over 65,507 bytes\n".utf8))
        }
        if verbose {
            FileHandle.standardError.write(
                Data("meshtop send: \(sentLines) lines in \(datagrams) datagrams to udp \(target)\n".utf8))
        }
        if failed > 0 { throw MeshtopError("\(failed) datagrams could not be sent to udp \(target)", code: 1) }
    }

    static func decodeHex(_ text: String) -> [UInt8]? {
        let b = Array(text.utf8)
        guard b.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(b.count / 2)
        var i = 0
        while i < b.count {
            guard let h = nibble(b[i]), let l = nibble(b[i + 1]) else { return nil }
            out.append(h << 4 | l)
            i += 2
        }
        return out
    }

    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }
}

/// Stdin as raw byte lines (no UTF-8 repair: bytes are sent as read). A trailing `\r` is kept.
enum StdinLines {
    static func forEach(_ body: ([UInt8]) throws -> Void) throws {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var line: [UInt8] = []
        while true {
            let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            for i in 0..<n {
                let c = buffer[i]
                if c == 0x0A {
                    try body(line)
                    line.removeAll(keepingCapacity: true)
                } else {
                    line.append(c)
                }
            }
        }
        if !line.isEmpty { try body(line) }
    }
}
