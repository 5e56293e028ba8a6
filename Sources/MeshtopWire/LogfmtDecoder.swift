import MeshtopModel

/// Decodes logfmt lines (`key=value key2="quoted \" value" bare`) as log records, with the aliases of `LogFields`.
///
/// Syntax: tokens separated by spaces/tabs. A key is a run of bytes other than space, `=` and `"`. A value is
/// either unquoted (up to the next space/tab, may be empty) or double-quoted with `\"`, `\\`, `\n`, `\r`, `\t`
/// escapes (any other `\x` is kept as written); a closing quote must end the token. A bare key is stored as
/// the attribute `key=true`. Values are strings (times and levels are parsed through the aliases).
///
/// When a line counts as logfmt (a line with an `=` is otherwise not enough — prose such as `a=b happened`
/// should not become structured logs): at least one `k=v` pair, no more bare keys than pairs, and either a
/// recognised alias (`msg=`, `level=`, …) or at least two pairs. Lines with a syntax error (an unterminated
/// quote) are rejected as `.logfmt`; lines that parse but fail this rule as `.unknownFormat`.
/// Defaults as for JSON logs: receive time, info, service `"unknown"`, and the whole line as message.
public enum LogfmtDecoder {
    /// Decodes one line, appending one `.log`; returns the rejection reason otherwise.
    public static func decode(
        line: UnsafeRawBufferPointer, context: DecodeContext, into out: inout [Decoded]
    ) -> RejectReason? {
        let p = line.assumingMemoryBound(to: UInt8.self)
        switch parse(p, 0, p.count) {
        case .malformed: return .logfmt
        case .notLogfmt: return .unknownFormat
        case .fields(let fields):
            out.append(
                .log(
                    fields.record(
                        defaultTime: context.receivedAtMicros, defaultService: JSONLogDecoder.unknownService,
                        defaultHost: context.sourceHost, defaultMessage: ByteScan.string(p, 0, p.count))))
            return nil
        }
    }

    enum Outcome {
        case fields(LogFields)
        case notLogfmt
        case malformed
    }

    /// Parses `p[from..<to]`, applying the acceptance rule above.
    static func parse(_ p: LineBytes, _ from: Int, _ to: Int) -> Outcome {
        var fields = LogFields()
        var pairs = 0
        var bare = 0
        var i = from
        while true {
            while i < to, p[i] == 0x20 || p[i] == 0x09 { i += 1 }
            if i >= to { break }
            let keyStart = i
            while i < to, p[i] > 0x20, p[i] != UInt8(ascii: "="), p[i] != UInt8(ascii: "\"") { i += 1 }
            guard i > keyStart else { return .notLogfmt }
            let key = ByteScan.string(p, keyStart, i)
            guard i < to, p[i] == UInt8(ascii: "=") else {
                if i < to, p[i] == UInt8(ascii: "\"") { return .notLogfmt }
                bare += 1
                fields.add(key, .bool(true))
                continue
            }
            i += 1
            pairs += 1
            if i < to, p[i] == UInt8(ascii: "\"") {
                guard let (value, next) = quoted(p, i + 1, to) else { return .malformed }
                guard next == to || p[next] == 0x20 || p[next] == 0x09 else { return .malformed }
                fields.add(key, .string(value))
                i = next
            } else {
                let valueStart = i
                while i < to, p[i] != 0x20, p[i] != 0x09 { i += 1 }
                fields.add(key, .string(ByteScan.string(p, valueStart, i)))
            }
        }
        guard pairs >= 1, bare <= pairs, fields.aliasCount >= 1 || pairs >= 2 else { return .notLogfmt }
        return .fields(fields)
    }

    /// A quoted value starting after the opening quote: the unescaped text and the index after the closing quote.
    private static func quoted(_ p: LineBytes, _ from: Int, _ to: Int) -> (String, Int)? {
        var i = from
        var escaped = false
        while i < to, p[i] != UInt8(ascii: "\"") {
            if p[i] == UInt8(ascii: "\\") {
                escaped = true
                i += 1
            }
            i += 1
        }
        guard i < to else { return nil }
        guard escaped else { return (ByteScan.string(p, from, i), i + 1) }
        var out: [UInt8] = []
        out.reserveCapacity(i - from)
        var j = from
        while j < i {
            let c = p[j]
            if c == UInt8(ascii: "\\"), j + 1 < i {
                switch p[j + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(p[j + 1])
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                default: out.append(c); out.append(p[j + 1])
                }
                j += 2
            } else {
                out.append(c)
                j += 1
            }
        }
        return (String(decoding: out, as: UTF8.self), i + 1)
    }
}
