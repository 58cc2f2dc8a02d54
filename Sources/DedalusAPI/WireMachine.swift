import Foundation
import ClawrunCore

/// A machine document in any of the API's shapes: the mutation answer and list item (flat `phase`,
/// list items add `created_at`) and the retrieve answer (nested `status{phase, reason, last_error, …}`).
struct WireMachine: Decodable {
    var machine: Machine

    private enum Keys: String, CodingKey {
        case machineId = "machine_id", vcpu, memoryMiB = "memory_mib", storageGiB = "storage_gib"
        case autosleepSeconds = "autosleep_seconds", desiredState = "desired_state", phase, status
        case createdAt = "created_at"
    }

    private enum StatusKeys: String, CodingKey {
        case phase, reason, lastError = "last_error", memoryConfiguredMiB = "memory_configured_mib"
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let status = try? c.nestedContainer(keyedBy: StatusKeys.self, forKey: .status)
        let phaseText = status?.lenientString(.phase) ?? c.lenientString(.phase) ?? ""
        var reason = status?.lenientString(.reason)
        let phase = WireMachine.phase(phaseText)
        if phase == nil, reason?.isEmpty ?? true {
            reason = "unrecognised phase '\(phaseText)'"
        }
        let memory = c.lenientInt(.memoryMiB) ?? status?.lenientInt(.memoryConfiguredMiB) ?? 0
        machine = Machine(
            id: try c.requiredID(.machineId),
            vcpu: c.lenientDouble(.vcpu) ?? 0,
            memoryMiB: memory,
            storageGiB: c.lenientInt(.storageGiB) ?? 0,
            autosleepSeconds: c.lenientInt(.autosleepSeconds) ?? 0,
            desiredState: c.lenientString(.desiredState).flatMap(DesiredState.init(rawValue:)) ?? .running,
            phase: phase ?? .accepted,
            reason: reason,
            lastError: status?.lenientString(.lastError),
            createdAt: c.lenientDate(.createdAt))
    }

    /// The phase for a wire name. Names outside the SDK enum map to their nearest phase
    /// (`wake_pending` → starting, `sleep_pending` → stopping, `error` → failed); others are nil.
    static func phase(_ text: String) -> Phase? {
        if let phase = Phase(rawValue: text) { return phase }
        switch text {
        case "wake_pending": return .starting
        case "sleep_pending": return .stopping
        case "error": return .failed
        default: return nil
        }
    }
}
