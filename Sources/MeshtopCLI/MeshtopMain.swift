import ArgumentParser
import Foundation

extension MeshtopCommand {
    /// Parses and runs a command; the one place meshtop exits. A `MeshtopError` prints its message and exits
    /// with its code; argument-parser's usage failures (EX_USAGE, 64) become meshtop's documented usage exit
    /// code 2 (SPEC §1). Help and version requests still exit 0.
    public static func runMain(arguments: [String]? = nil) async -> Never {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            Foundation.exit(MeshtopExit.ok)
        } catch let error as MeshtopError {
            if let message = error.message {
                FileHandle.standardError.write(Data(("meshtop: " + message + "\n").utf8))
            }
            Foundation.exit(error.code)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                let message = fullMessage(for: error)
                FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
                Foundation.exit(MeshtopExit.usage)
            }
            exit(withError: error)
        }
    }
}
