/// What a config edit means for a running gateway (`src/gateway/config-reload-plan.ts`):
/// the first matching prefix rule decides between a restart, a hot apply, or nothing.
public struct ConfigReloadPlan: Equatable {
    /// Changed leaf paths, dotted (`gateway.auth.token`).
    public let changedPaths: [String]
    /// Paths that force a restart (every `gateway.*` but `gateway.remote`/`gateway.reload`, `env.*`, unknown keys).
    public let restartPaths: [String]
    /// Paths applied without a restart.
    public let hotPaths: [String]

    public var needsRestart: Bool { !restartPaths.isEmpty }

    private enum Rule { case restart, hot, none }

    /// Rules in order; the first prefix that matches wins, unmatched paths restart.
    private static let rules: [(String, Rule)] = [
        ("gateway.remote", .none), ("gateway.reload", .none), ("gateway.channelHealthCheckMinutes", .hot),
        ("gateway", .restart), ("plugins", .restart), ("discovery", .restart), ("canvasHost", .restart),
        ("hooks", .hot), ("cron", .hot), ("agents.defaults.heartbeat", .hot), ("agents.defaults.models", .hot),
        ("agents.defaults.model", .hot), ("models", .hot), ("agents.list", .hot), ("channels", .hot),
        ("meta", .none), ("identity", .none), ("logging", .none), ("agents", .none), ("tools", .none),
        ("bindings", .none), ("routing", .none), ("messages", .none), ("session", .none), ("skills", .none),
        ("secrets", .none), ("ui", .none), ("talk", .none), ("audio", .none), ("wizard", .none),
    ]

    /// Plans the reload from the old to the new config.
    public init(from old: JSONValue, to new: JSONValue) {
        var changed: [String] = []
        Self.diff(old, new, prefix: "", into: &changed)
        changedPaths = changed
        var restart: [String] = []
        var hot: [String] = []
        for path in changed {
            let rule = Self.rules.first { path == $0.0 || path.hasPrefix($0.0 + ".") }?.1 ?? .restart
            switch rule {
            case .restart: restart.append(path)
            case .hot: hot.append(path)
            case .none: break
            }
        }
        restartPaths = restart
        hotPaths = hot
    }

    /// Collects the paths where `a` and `b` differ; arrays and scalars compare as wholes.
    private static func diff(_ a: JSONValue?, _ b: JSONValue?, prefix: String, into out: inout [String]) {
        if case .object(let left)? = a, case .object(let right)? = b {
            var keys = left.map(\.0)
            for (key, _) in right where !keys.contains(key) { keys.append(key) }
            for key in keys {
                diff(a?[key], b?[key], prefix: prefix.isEmpty ? key : prefix + "." + key, into: &out)
            }
            return
        }
        if a != b { out.append(prefix.isEmpty ? "<root>" : prefix) }
    }
}
