import ClawrunCore
import Foundation

/// Everything a workflow run is given by the command line and the environment.
public struct RunOptions: Sendable {
    /// The workflow file.
    public var script: URL
    /// `--set key=value` parameters, as strings.
    public var args: [String: String]
    /// Machine ids chosen with `--machine`/`--machines`, in order.
    public var targetIds: [String]
    /// `--all`: every machine of the provider.
    public var allTargets: Bool
    /// `--parallel N`: the default limit of `parallel`.
    public var parallel: Int
    /// CLAWRUN_HOME.
    public var home: URL
    /// Folders searched by `require` after `plugins/` beside the workflow (CLAWRUN_HOME/plugins,
    /// the bundled plugins).
    public var pluginDirectories: [URL]
    /// Folders searched by `require` before `plugins/` beside the workflow (`--plugins`, CLAWRUN_PATH).
    public var userPluginDirectories: [URL] = []
    /// `--check`: steps run their `check` only, no `apply`; the recap says what would change.
    public var checkOnly = false
    /// `--diff`: steps log the differences their `diff` states.
    public var showDiff = false
    /// The caller's environment (for LLM keys and secrets to redact).
    public var environment: [String: String]
    /// `--select key=value` filters on the targets.
    public var selectors: [MachineSelector]
    /// `--shard K/N`: this run's part of the targets.
    public var shard: Shard?
    /// `--fail-fast` and `--max-fail-percent`: when `parallel` stops starting machines.
    public var failurePolicy: FailurePolicy
    /// The run record this run writes, named in its recap.
    public var recordPath: String?
    /// `--json`: stdout carries JSON Lines only, so `print` and `io.write` become `log` events.
    public var json: Bool

    /// Makes options.
    public init(script: URL, args: [String: String] = [:], targetIds: [String] = [], allTargets: Bool = false,
                parallel: Int = 16, home: URL, pluginDirectories: [URL] = [],
                environment: [String: String] = ProcessInfo.processInfo.environment,
                selectors: [MachineSelector] = [], shard: Shard? = nil, failurePolicy: FailurePolicy = FailurePolicy(),
                recordPath: String? = nil, json: Bool = false) {
        self.script = script
        self.args = args
        self.targetIds = targetIds
        self.allTargets = allTargets
        self.parallel = parallel
        self.home = home
        self.pluginDirectories = pluginDirectories
        self.environment = environment
        self.selectors = selectors
        self.shard = shard
        self.failurePolicy = failurePolicy
        self.recordPath = recordPath
        self.json = json
    }

    /// The targets as `targets()` resolves them.
    public var selection: TargetSelection {
        TargetSelection(ids: targetIds, all: allTargets, selectors: selectors, shard: shard)
    }

    /// Whether the user asked to see gateway tokens (`--set show_token=true`).
    public var showSecrets: Bool { ["true", "1", "yes"].contains(args["show_token"]?.lowercased() ?? "") }
}
