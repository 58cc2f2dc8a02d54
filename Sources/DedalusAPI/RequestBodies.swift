import ClawrunCore

/// The body of `POST /v1/machines`: sizing only (the API has no network option, so
/// `MachineSpec.network` stays local). A whole `vcpu` is sent as an integer, as the SDKs do.
struct CreateMachineBody: Encodable {
    var spec: MachineSpec

    init(_ spec: MachineSpec) { self.spec = spec }

    private enum Keys: String, CodingKey { case vcpu, memoryMiB = "memory_mib", storageGiB = "storage_gib", autosleep }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        if spec.vcpu == spec.vcpu.rounded(), abs(spec.vcpu) < 1e15 {
            try c.encode(Int(spec.vcpu), forKey: .vcpu)
        } else {
            try c.encode(spec.vcpu, forKey: .vcpu)
        }
        try c.encode(spec.memoryMiB, forKey: .memoryMiB)
        try c.encode(spec.storageGiB, forKey: .storageGiB)
        try c.encodeIfPresent(spec.autosleep, forKey: .autosleep)
    }
}

/// The body of `POST …/executions`: `command` always, the optional fields only when set.
struct CreateExecutionBody: Encodable {
    var request: ExecRequest

    init(_ request: ExecRequest) { self.request = request }

    private enum Keys: String, CodingKey { case command, cwd, env, stdin, timeoutMs = "timeout_ms" }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(request.command, forKey: .command)
        try c.encodeIfPresent(request.cwd, forKey: .cwd)
        if !request.env.isEmpty { try c.encode(request.env, forKey: .env) }
        try c.encodeIfPresent(request.stdin, forKey: .stdin)
        try c.encodeIfPresent(request.timeoutMs, forKey: .timeoutMs)
    }
}
