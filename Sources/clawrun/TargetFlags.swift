import ArgumentParser
import ClawrunCore

/// The command-line flags that choose a run's machines and how it treats their failures.
struct TargetFlags: ParsableArguments {
    @Option(name: .customLong("machine"), help: "A target machine id (repeatable).")
    var ids: [String] = []

    @Option(name: .customLong("machines"), help: ArgumentHelp(
        "Target the machine ids listed in FILE, one a line; blank lines and # comments are ignored (repeatable).",
        valueName: "@FILE"))
    var files: [String] = []

    @Flag(help: "Target every machine of the provider.")
    var all = false

    @Option(name: .customLong("select"), help: ArgumentHelp(
        "Keep only targets whose field matches, key=value or key!=value (repeatable; keys: "
            + MachineSelector.keys.joined(separator: ", ") + "). Without --machine/--machines, starts from --all.",
        valueName: "key=value"))
    var selectors: [String] = []

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Take part K of N of the targets, split by a hash of the machine id (stable, no overlap between parts).",
        valueName: "K/N"))
    var shard: String?

    @Option(name: .customLong("max-fail-percent"), parsing: .unconditional, help: ArgumentHelp(
        "Start no more machines once more than P percent of the targets failed.", valueName: "P"))
    var maxFailPercent: Double?

    @Flag(name: .customLong("fail-fast"), help: "Start no more machines after the first failure.")
    var failFast = false

    @Flag(name: .customLong("retry-failed"), help:
        "Target only the machines that failed or were skipped in the last run record of this workflow.")
    var retryFailed = false

    /// The parsed shard, selectors and policy; usage errors for bad values.
    func parsed() throws -> (shard: Shard?, selectors: [MachineSelector], policy: FailurePolicy) {
        if all && (!ids.isEmpty || !files.isEmpty) {
            throw ClawrunError.usage("--all targets every machine: give either --all or --machine/--machines, not both")
        }
        let policy = FailurePolicy(maxFailPercent: maxFailPercent, failFast: failFast)
        try policy.validate()
        return (try shard.map(Shard.init(parsing:)), try selectors.map(MachineSelector.init(parsing:)), policy)
    }

    /// `--machine` ids then those of every `--machines @FILE`, in order, without duplicates.
    func explicitIds() throws -> [String] {
        TargetFile.unique(try ids + files.flatMap(TargetFile.read))
    }

    /// Rejects target flags that `--retry-failed` replaces.
    func checkRetry() throws {
        guard retryFailed else { return }
        if !ids.isEmpty || !files.isEmpty || all || !selectors.isEmpty {
            throw ClawrunError.usage(
                "--retry-failed takes its targets from the last run record: drop --machine, --machines, --all and --select")
        }
    }
}
