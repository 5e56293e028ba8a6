import ArgumentParser

/// The root command only lists subcommands.
public struct MeshtopCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "meshtop",
        abstract: "A terminal dashboard for microservice governance and tracing.",
        discussion: "Exit codes: 0 ok, 1 a --fail-on condition held, 2 usage error, 3 database missing or "
            + "unreadable, 4 a listener could not bind. See man/meshtop.1.",
        subcommands: [
            ConsoleCommand.self, CollectCommand.self, QueryCommand.self, AgentCommand.self, SendCommand.self,
            DemoCommand.self,
            ReplayCommand.self, BenchCommand.self,
        ],
        defaultSubcommand: ConsoleCommand.self
    )

    public init() {}
}
