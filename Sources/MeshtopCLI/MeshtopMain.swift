import ArgumentParser
import Foundation

extension MeshtopCommand {
    /// Parses and runs a command, mapping argument-parser's usage failures (EX_USAGE, 64) to meshtop's
    /// documented usage exit code 2 (SPEC §1). Help and version requests still exit 0.
    public static func runMain(arguments: [String]? = nil) async -> Never {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            Foundation.exit(MeshtopExit.ok)
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
