/// The version the simulator reports. It follows the OpenClaw release whose behaviour it
/// reproduces ([S] in the spec) and says plainly that it is clawrun's simulator, so nobody
/// mistakes a local test machine for a real install.
public enum SimulatorVersion {
    /// The OpenClaw CalVer release the simulator imitates.
    public static let version = "2026.4.12"

    /// The `--version` line: `OpenClaw 2026.4.12 (clawrun simulator)`.
    public static let line = "OpenClaw \(version) (clawrun simulator)"
}
