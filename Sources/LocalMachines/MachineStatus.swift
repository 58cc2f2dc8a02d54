import ClawrunCore
import Foundation

/// Derives the phase a machine is in from its state file and its init's liveness, so that any
/// process reading the folder reports the same phase without the creating process being alive.
enum MachineStatus {
    /// How long a boot written by some process may go without an init before it counts as dead.
    static let bootGrace: TimeInterval = 30

    /// The reported phase and reason. `busy` says an operation of this process is moving the
    /// machine, in which case the phase it last wrote is the truth.
    static func observe(_ record: MachineRecord, sandbox: SandboxState, busy: Bool) -> (Phase, String?) {
        if busy { return (record.phase, record.reason) }
        switch record.desired {
        case .destroyed:
            return (record.phase == .destroyed ? .destroyed : .destroying, record.reason)
        case .sleeping:
            return sandbox == .gone ? (.sleeping, "DesiredStateReached") : (.stopping, record.reason)
        case .running:
            switch sandbox {
            case .ready: return (.running, "DesiredStateReached")
            case .booting: return (.starting, record.reason)
            case .gone:
                if record.phase == .failed { return (.failed, record.reason) }
                let booting: Set<Phase> = [.accepted, .placementPending, .starting]
                if booting.contains(record.phase), Date().timeIntervalSince(record.transitionAt) < bootGrace {
                    return (record.phase, record.reason)
                }
                // The sandbox ended without being asked (host reboot, init killed): like a
                // Dedalus machine that slept, the next wake or exec starts it again.
                return (.sleeping, "SandboxExited")
            }
        }
    }
}

/// Where a machine's sandbox is, as seen from the host.
enum SandboxState: Equatable {
    /// No live init.
    case gone
    /// The init lives but has not finished building the machine's root.
    case booting
    /// The init lives inside the machine's root: executions can enter.
    case ready
}
