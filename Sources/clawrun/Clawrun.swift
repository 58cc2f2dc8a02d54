import ArgumentParser

/// The `clawrun` command: runs Lua workflows that deploy and operate OpenClaw gateways on
/// Dedalus Machines or on local machines.
struct Clawrun: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "clawrun",
        abstract: "Deploy and operate OpenClaw gateways on Dedalus Machines, or on local machines without an account.",
        version: version,
        subcommands: [RunCommand.self, CheckCommand.self, DescribeCommand.self, ServeCommand.self, MachinesCommand.self],
        defaultSubcommand: RunCommand.self
    )
}
