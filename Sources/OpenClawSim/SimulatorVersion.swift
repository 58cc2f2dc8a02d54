/// The OpenClaw release the simulator imitates. It follows [S] (2026.4.12, the source snapshot
/// `zhihh/openclaw`) unless `OPENCLAW_SIM_VERSION` selects the newer behaviour of the
/// `openclaw/docs` snapshot synced 2026-08-22 where the two differ, and it says plainly that it
/// is clawrun's simulator, so nobody mistakes a local test machine for a real install.
public enum SimulatorVersion: String, Sendable, CaseIterable {
    /// 2026.4.12: a missing provider key escapes the agent run, so chats answer 500.
    case v2026_4_12 = "2026.4.12"
    /// The newer gateway: a missing key is an auth failure (401 `authentication_error`), a
    /// provider's unknown model is 404 `invalid_request_error`, stream errors are `data: {"error":…}`.
    case v2026_8_22 = "2026.8.22"

    /// The release imitated when nothing selects another.
    public static let `default` = SimulatorVersion.v2026_4_12

    /// The environment variable that selects the release.
    public static let variable = "OPENCLAW_SIM_VERSION"

    /// The release `OPENCLAW_SIM_VERSION` names (also `newer`/`latest`), the default when unset.
    public static func selected(_ environment: [String: String]) -> SimulatorVersion {
        switch environment[variable]?.lowercased() {
        case "newer"?, "latest"?: return .v2026_8_22
        case let value?: return SimulatorVersion(rawValue: value) ?? .default
        case nil: return .default
        }
    }

    /// Whether this release maps agent failures to the newer HTTP statuses and SSE error chunks.
    public var mapsAgentErrors: Bool { self != .v2026_4_12 }

    /// The CalVer string.
    public var version: String { rawValue }

    /// The `--version` line: `OpenClaw 2026.4.12 (clawrun simulator)`.
    public var line: String { "OpenClaw \(rawValue) (clawrun simulator)" }
}
