/// A machine's lifecycle phase, as the Dedalus Machines API names it.
public enum Phase: String, Sendable, Codable, CaseIterable {
    case accepted
    case placementPending = "placement_pending"
    case starting
    case running
    case stopping
    case sleeping
    case destroying
    case destroyed
    case failed

    /// Phases that no wait can leave: waiting for anything else from them is an error.
    public var isTerminal: Bool { self == .failed || self == .destroyed }

    /// Parses a phase name, or explains which names exist.
    public static func parse(_ name: String) throws -> Phase {
        guard let phase = Phase(rawValue: name) else {
            throw ClawrunError.usage(
                "unknown phase '\(name)': use one of \(Phase.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return phase
    }
}

/// The state a machine is asked to reach.
public enum DesiredState: String, Sendable, Codable {
    case running, sleeping, destroyed
}
