import ClawrunCore

extension Poller {
    /// Runs `openclaw ARGS` in a machine with the OpenClaw environment.
    func runOpenClaw(_ machineId: String, _ args: [String], timeout: Double) async throws -> ExecResult {
        let request = ExecRequest(command: [OpenClawLayout.cli] + args, env: OpenClawLayout.environment,
                                  timeoutMs: Int(timeout * 1000))
        return try await run(machineId: machineId, request, timeout: timeout + 30)
    }
}
