import ClawrunCore
import Foundation

/// What a machine's state file holds. The phase in it is the last one an operation wrote; the
/// phase reported is derived from it and from whether the machine's init is alive (`MachineStatus`).
struct MachineRecord: Codable, Sendable, Equatable {
    var id: String
    var vcpu: Double
    var memoryMiB: Int
    var storageGiB: Int
    var autosleepSeconds: Int
    /// nil or "none": loopback only; "nat": outbound network through slirp4netns.
    var network: String?
    var createdAt: Date
    var desired: DesiredState
    var phase: Phase
    var reason: String?
    var lastError: String?
    var transitionAt: Date
    var memoryEnforced: Bool

    /// Moves to `phase`, stamping the transition time.
    mutating func transition(to phase: Phase, reason: String?, lastError: String? = nil) {
        self.phase = phase
        self.reason = reason
        self.lastError = lastError
        transitionAt = Date()
    }

    /// The record as the provider API reports it, in `phase`.
    func machine(phase: Phase, reason: String?) -> Machine {
        Machine(id: id, vcpu: vcpu, memoryMiB: memoryMiB, storageGiB: storageGiB,
                autosleepSeconds: autosleepSeconds, desiredState: desired, phase: phase, reason: reason,
                lastError: phase == .failed ? lastError : nil, createdAt: createdAt, memoryEnforced: memoryEnforced)
    }
}
