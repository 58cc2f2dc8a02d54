import ClawrunCore

/// Several config changes applied to `openclaw.json` at once, so that a running gateway sees one
/// file change (one in-place restart) instead of one per `openclaw config set`.
struct ConfigPatch {
    /// The config with every change applied.
    private(set) var config: JSONValue
    /// The dotted paths whose value actually changed, in the order given.
    private(set) var changedPaths: [String] = []

    /// Applies `changes` (dotted path, value) to `config`; missing parents become objects.
    init(config: JSONValue, changes: [(String, JSONValue)]) {
        self.config = config
        for (path, value) in changes {
            let keys = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            if Self.value(at: keys[...], in: self.config) != value {
                self.config = Self.setting(value, at: keys[...], in: self.config)
                changedPaths.append(path)
            }
        }
    }

    /// Whether the gateway restarts to apply the change: `src/gateway/config-reload-plan.ts`
    /// hot-applies `agents.*` model settings, `models.*`, `hooks.*` and `cron.*`; `gateway.*`,
    /// `env.*` (no rule: restart) and everything else restart it.
    var needsRestart: Bool {
        changedPaths.contains { path in !["agents.", "models.", "hooks.", "cron."].contains { path.hasPrefix($0) } }
    }

    private static func value(at keys: ArraySlice<String>, in node: JSONValue) -> JSONValue? {
        guard let key = keys.first else { return node }
        guard let child = node[key] else { return nil }
        return value(at: keys.dropFirst(), in: child)
    }

    private static func setting(_ value: JSONValue, at keys: ArraySlice<String>, in node: JSONValue) -> JSONValue {
        guard let key = keys.first else { return value }
        var members: [(String, JSONValue)]
        if case .object(let existing) = node { members = existing } else { members = [] }
        if let i = members.firstIndex(where: { $0.0 == key }) {
            members[i].1 = setting(value, at: keys.dropFirst(), in: members[i].1)
        } else {
            members.append((key, setting(value, at: keys.dropFirst(), in: .object([]))))
        }
        return .object(members)
    }

    /// Writes stdin to the config atomically (temp file, mode 0600, rename, as OpenClaw's own
    /// writes in src/config/io.ts), then waits as argument 3 says: 0 not at all, 1 until the
    /// gateway restarted after the write (`/readyz` `uptimeMs` younger than the write, which a
    /// restart resets: src/gateway/server/readiness.ts) and `/healthz` answers, 2 for the
    /// watcher to hot-apply it (chokidar's 200 ms write-finish plus the 300 ms debounce of
    /// src/gateway/config-reload.ts). Arguments: config path, port, mode, seconds. Exit 2: timeout.
    static let writeScript = #"""
        set -u
        f=$1 port=$2 mode=$3 limit=$4
        umask 077
        tmp="$f.clawrun-$$"
        if ! { cat > "$tmp" && mv -f "$tmp" "$f"; }; then rm -f "$tmp"; exit 3; fi
        t0=$(date +%s%N)
        case "$mode" in
        0) exit 0 ;;
        2) sleep 0.6; exit 0 ;;
        esac
        end=$(( t0 + limit * 1000000000 ))
        while [ "$(date +%s%N)" -lt "$end" ]; do
            up=$(/usr/bin/curl -s -m 2 "http://127.0.0.1:$port/readyz" | grep -o '"uptimeMs":[0-9]*' | grep -o '[0-9]*$')
            if [ -n "$up" ] && [ "$up" -lt $(( ($(date +%s%N) - t0) / 1000000 )) ]; then
                [ "$(/usr/bin/curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$port/healthz")" = 200 ] && exit 0
            fi
            sleep 0.02
        done
        exit 2
        """#
}
