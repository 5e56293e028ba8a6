/// An IPv4 or IPv6 network (`10.0.0.0/8`, `::1/128`, or a bare address meaning one host) for `--allow`.
public struct CIDR: Hashable, Sendable, CustomStringConvertible {
    /// 16 bytes; IPv4 networks are stored IPv4-mapped (`::ffff:a.b.c.d`) so both families compare alike.
    public let network: [UInt8]
    /// Prefix length over the 128-bit form.
    public let prefix: Int
    public let description: String

    public init?(_ text: String) {
        let t = text.trimmingWhitespace()
        let parts = t.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first else { return nil }
        let isV4 = !first.contains(":")
        guard let addr = isV4 ? CIDR.parseIPv4(first).map(CIDR.mapped) : CIDR.parseIPv6(first) else { return nil }
        var bits = 128
        if parts.count == 2 {
            guard let p = Int(parts[1]), p >= 0, p <= (isV4 ? 32 : 128) else { return nil }
            bits = isV4 ? p + 96 : p
        }
        self.prefix = bits
        self.network = CIDR.masked(addr, bits)
        self.description = t
    }

    /// Whether a 16-byte address (IPv4 addresses IPv4-mapped) lies in this network.
    public func contains(_ address16: [UInt8]) -> Bool {
        address16.count == 16 && CIDR.masked(address16, prefix) == network
    }

    /// `a.b.c.d` → 4 bytes.
    static func parseIPv4(_ s: Substring) -> [UInt8]? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for p in parts {
            guard !p.isEmpty, p.count <= 3, let v = UInt8(p) else { return nil }
            out.append(v)
        }
        return out
    }

    /// RFC 4291 text forms, `::` compression and a trailing dotted IPv4 included → 16 bytes.
    static func parseIPv6(_ s: Substring) -> [UInt8]? {
        var text = s
        if let pct = text.firstIndex(of: "%") { text = text[..<pct] }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: Substring) -> [UInt8]? {
            if part.isEmpty { return [] }
            var out: [UInt8] = []
            let items = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, g) in items.enumerated() {
                if i == items.count - 1, g.contains(".") {
                    guard let v4 = parseIPv4(g) else { return nil }
                    out += v4
                    continue
                }
                guard !g.isEmpty, g.count <= 4, let v = UInt16(g, radix: 16) else { return nil }
                out += [UInt8(v >> 8), UInt8(v & 0xff)]
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 16 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }

    /// An address's 16-byte form (IPv4 mapped into IPv6), as `contains` takes it; nil when not an address.
    static func addressBytes(_ text: String) -> [UInt8]? {
        if let v4 = parseIPv4(Substring(text)) { return mapped(v4) }
        return parseIPv6(Substring(text))
    }

    static func mapped(_ v4: [UInt8]) -> [UInt8] { [UInt8](repeating: 0, count: 10) + [0xff, 0xff] + v4 }

    static func masked(_ a: [UInt8], _ bits: Int) -> [UInt8] {
        var out = a
        for i in 0..<16 {
            let keep = max(0, min(8, bits - i * 8))
            out[i] &= keep == 8 ? 0xff : UInt8(truncatingIfNeeded: 0xff << (8 - keep))
        }
        return out
    }
}

extension Substring {
    fileprivate func components(separatedBy sep: String) -> [Substring] {
        var out: [Substring] = []
        var rest = self[...]
        while let r = rest.firstRange(of: sep) {
            out.append(rest[..<r.lowerBound])
            rest = rest[r.upperBound...]
        }
        out.append(rest)
        return out
    }
}
