import ArgumentParser

/// A size option (`--queue-bytes 32MiB`, `--max-request-size 16M`, `--max-db-size 2GiB`, `--max-line 512`),
/// parsed once when the command line is parsed: commands read `bytes` and never parse the text again.
///
/// Grammar (case-insensitive, no space between the number and its unit):
///
///     size = number [unit]
///     number = digits ["." digits]          (a decimal is allowed: 1.5GiB)
///     unit = "b" | "k" | "kb" | "kib" | "m" | "mb" | "mib" | "g" | "gb" | "gib" | "t" | "tb" | "tib"
///
/// A bare number is bytes. Every unit is binary: `k`, `KB` and `KiB` all mean 1,024 bytes, `M`/`MB`/`MiB`
/// 1,048,576 and so on (as the collector has always read them). A fraction of a byte is cut off.
public struct SizeArgument: ExpressibleByArgument, Sendable, Hashable, CustomStringConvertible {
    public let bytes: Int64
    /// As given, for messages and `--help` defaults.
    public let text: String

    /// The accepted forms, for messages.
    static let forms = "bytes (4096) or a number with k, M, G or T (binary: 512k, 16M, 32MiB, 1.5GiB)"

    /// nil when `text` is not a size or is larger than `Int64.max` bytes.
    public init?(argument text: String) {
        let t = text.lowercased()
        let digitsEnd = t.firstIndex(where: { !($0.isASCII && ($0.isNumber || $0 == ".")) }) ?? t.endIndex
        let number = t[..<digitsEnd]
        guard !number.isEmpty, number.first != ".", number.last != ".",
            number.filter({ $0 == "." }).count <= 1, let value = Double(number)
        else { return nil }
        let shift: Int
        switch t[digitsEnd...] {
        case "", "b": shift = 0
        case "k", "kb", "kib": shift = 10
        case "m", "mb", "mib": shift = 20
        case "g", "gb", "gib": shift = 30
        case "t", "tb", "tib": shift = 40
        default: return nil
        }
        let bytes = (value * Double(Int64(1) << shift)).rounded(.down)
        guard bytes.isFinite, bytes < 9.2e18 else { return nil }
        self.bytes = Int64(bytes)
        self.text = text
    }

    public var description: String { text }
    public var defaultValueDescription: String { text }

    /// A default given as text; a literal that is not a size is a programming error.
    static func literal(_ text: String) -> SizeArgument {
        guard let s = SizeArgument(argument: text) else { preconditionFailure("not a size: \(text)") }
        return s
    }

    /// For `@Option(transform:)`: parses `text` and checks it lies in `range` (bytes), with meshtop's message
    /// ("--flag TEXT: expected …", exit 2) naming the flag, the accepted forms and the range on failure.
    static func parser(_ flag: String, in range: ClosedRange<Int64> = 1...Int64.max, example: String)
        -> @Sendable (String) throws -> SizeArgument
    {
        { text in
            guard let size = SizeArgument(argument: text) else {
                throw ValidationError("\(flag) \(text): not a size; expected \(forms)")
            }
            guard range.contains(size.bytes) else {
                throw ValidationError("\(flag) \(text): expected a size \(describe(range)), e.g. \(example)")
            }
            return size
        }
    }

    /// "from 1KiB to 1GiB", "of at least 64KiB", "of at most 1GiB".
    static func describe(_ range: ClosedRange<Int64>) -> String {
        switch (range.lowerBound > 1, range.upperBound < Int64.max) {
        case (true, true): return "from \(format(range.lowerBound)) to \(format(range.upperBound))"
        case (true, false): return "of at least \(format(range.lowerBound))"
        case (false, true): return "of at most \(format(range.upperBound))"
        case (false, false): return "of at least 1 byte"
        }
    }

    /// Bytes in the largest binary unit that divides them: 65536 → "64KiB", 1000 → "1000 bytes".
    static func format(_ bytes: Int64) -> String {
        for (shift, unit) in [(40, "TiB"), (30, "GiB"), (20, "MiB"), (10, "KiB")]
        where bytes >= Int64(1) << shift && bytes % (Int64(1) << shift) == 0 {
            return "\(bytes >> shift)\(unit)"
        }
        return "\(bytes) bytes"
    }
}
