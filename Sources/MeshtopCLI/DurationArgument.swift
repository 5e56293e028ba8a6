import ArgumentParser
import MeshtopModel

/// A duration option (`250ms`, `1.5s`, `2m`, `1h`), parsed once when the command line is parsed: commands read
/// `micros` or `seconds` and never parse the text again.
public struct DurationArgument: ExpressibleByArgument, Sendable, Hashable, CustomStringConvertible {
    public let micros: Int64
    /// As given, for messages and `--help` defaults.
    public let text: String

    /// nil when `text` is not a duration (`DurationText`).
    public init?(argument text: String) {
        guard let micros = DurationText.parseMicros(text) else { return nil }
        self.micros = micros
        self.text = text
    }

    public var seconds: Double { Double(micros) / 1e6 }
    public var description: String { text }
    public var defaultValueDescription: String { text }

    /// A default given as text; a literal that is not a duration is a programming error.
    static func literal(_ text: String) -> DurationArgument {
        guard let d = DurationArgument(argument: text) else { preconditionFailure("not a duration: \(text)") }
        return d
    }

    /// For `@Option(transform:)`: parses `text` with meshtop's message ("--flag TEXT: expected …") on failure.
    static func parser(_ flag: String, example: String) -> @Sendable (String) throws -> DurationArgument {
        { text in
            guard let d = DurationArgument(argument: text) else {
                throw ValidationError("\(flag) \(text): expected a duration such as \(example)")
            }
            return d
        }
    }
}
