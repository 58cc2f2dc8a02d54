import ClawrunCore
import LuaRuntime

extension Poller {
    /// Reads a file of a machine in pieces that fit in an execution's captured output, then
    /// removes it.
    func readFile(machineId id: String, path: String) async throws -> String {
        let piece = 768 * 1024
        var data: [UInt8] = []
        while true {
            let request = ExecRequest(command: [OpenClawLayout.bash, "-c", "tail -c +$(( $1 + 1 )) \"$2\" | head -c \"$3\"", "read",
                                                String(data.count), path, String(piece)], timeoutMs: 60_000)
            let result = try await run(machineId: id, request, timeout: 90)
            if let failure = HostContext.failureMessage(result, machineId: id) { throw HostError(failure) }
            let bytes = Array(result.output.stdout.utf8)
            data += bytes
            if bytes.count < piece { break }
        }
        _ = try? await run(machineId: id, ExecRequest(command: [OpenClawLayout.rm, "-f", path], timeoutMs: 30_000), timeout: 60)
        return String(decoding: data, as: UTF8.self)
    }
}
