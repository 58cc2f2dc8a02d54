import ClawrunCore

/// The body of `POST /v1/machines`; every field optional, with the API's defaults.
struct CreateMachineRequest: Decodable {
    var vcpu: Double?
    var memoryMiB: Int?
    var storageGiB: Int?
    var autosleep: String?

    private enum CodingKeys: String, CodingKey {
        case vcpu, memoryMiB = "memory_mib", storageGiB = "storage_gib", autosleep
    }

    /// The spec to create; `MachineSpec` holds the API's defaults, so only given fields override them.
    var spec: MachineSpec {
        var spec = MachineSpec(autosleep: autosleep)
        if let vcpu { spec.vcpu = vcpu }
        if let memoryMiB { spec.memoryMiB = memoryMiB }
        if let storageGiB { spec.storageGiB = storageGiB }
        return spec
    }
}

/// The body of `POST …/executions`: `command` (an argv) is required.
struct CreateExecutionRequest: Decodable {
    var command: [String]?
    var cwd: String?
    var env: [String: String]?
    var stdin: String?
    var timeoutMs: Int?

    private enum CodingKeys: String, CodingKey { case command, cwd, env, stdin, timeoutMs = "timeout_ms" }

    /// The request to run, or a 400 when the command is missing or a field is out of range.
    func execRequest() throws -> ExecRequest {
        guard let command, !command.isEmpty, !command[0].isEmpty else {
            throw APIError(400, "INVALID_REQUEST", "command is required: an argv array such as [\"/bin/bash\",\"-c\",\"echo hi\"]")
        }
        if let timeoutMs, timeoutMs <= 0 {
            throw APIError(400, "INVALID_REQUEST", "timeout_ms must be a positive integer, got \(timeoutMs)")
        }
        return ExecRequest(command: command, cwd: cwd, env: env ?? [:], stdin: stdin, timeoutMs: timeoutMs)
    }
}
