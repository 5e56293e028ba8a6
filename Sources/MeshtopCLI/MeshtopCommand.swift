import ArgumentParser

/// The root command only lists subcommands.
public struct MeshtopCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "meshtop",
        abstract: "A terminal dashboard for microservice governance and tracing.",
        subcommands: []
    )

    public init() {}
}
