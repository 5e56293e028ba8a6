/// The one error a command throws to end with one of meshtop's documented exit codes (`MeshtopExit`, SPEC §1).
/// Commands never exit themselves: `MeshtopCommand.runMain` prints the message as `meshtop: …` on stderr (when
/// there is one) and exits with the code.
public struct MeshtopError: Error, Equatable, CustomStringConvertible {
    /// What to tell the user, or nil to exit silently (a `--fail-on` condition held; the message was shown).
    public var message: String?
    /// The exit code: a `MeshtopExit` value, or 128 + N after signal N.
    public var code: Int32

    public init(_ message: String?, code: Int32) {
        self.message = message
        self.code = code
    }

    /// Bad flag or argument (exit 2).
    public static func usage(_ message: String) -> MeshtopError { MeshtopError(message, code: MeshtopExit.usage) }

    /// Database missing, unreadable, not meshtop's, or locked (exit 3).
    public static func database(_ message: String) -> MeshtopError {
        MeshtopError(message, code: MeshtopExit.database)
    }

    /// A `--fail-on` condition held (exit 1, nothing printed).
    public static let conditionHeld = MeshtopError(nil, code: MeshtopExit.conditionHeld)

    /// Ended by signal `number` (exit 128 + N, nothing printed).
    public static func signal(_ number: Int32) -> MeshtopError { MeshtopError(nil, code: 128 + number) }

    public var description: String { message ?? "exit \(code)" }
}
