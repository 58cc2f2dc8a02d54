import Foundation

/// What to create: the sizing fields of the Dedalus create call, plus local-only options.
public struct MachineSpec: Sendable, Equatable {
    /// CPU in vCPUs (Dedalus default 1).
    public var vcpu: Double
    /// Memory in MiB (Dedalus default 4096).
    public var memoryMiB: Int
    /// Persistent storage in GiB (Dedalus default 10).
    public var storageGiB: Int
    /// Idle window before autosleep, in the API's grammar ("30m", "1800", "never").
    public var autosleep: String?
    /// Outbound network for local machines: nil or "none" (loopback only), or "nat".
    public var network: String?

    /// Makes a spec with the API's defaults for every field not given.
    public init(vcpu: Double = 1, memoryMiB: Int = 4096, storageGiB: Int = 10,
                autosleep: String? = nil, network: String? = nil) {
        self.vcpu = vcpu
        self.memoryMiB = memoryMiB
        self.storageGiB = storageGiB
        self.autosleep = autosleep
        self.network = network
    }

    /// Checks the fields every provider requires to be positive.
    public func validate() throws {
        guard vcpu > 0, vcpu.isFinite else {
            throw ClawrunError.invalidArgument("vcpu must be a positive number, got \(vcpu)")
        }
        guard memoryMiB > 0 else {
            throw ClawrunError.invalidArgument("memory_mib must be a positive integer, got \(memoryMiB)")
        }
        guard storageGiB > 0 else {
            throw ClawrunError.invalidArgument("storage_gib must be a positive integer, got \(storageGiB)")
        }
        if let autosleep { _ = try AutosleepDuration.seconds(autosleep) }
    }
}

/// A machine as a provider reports it.
public struct Machine: Sendable, Equatable {
    /// The provider's opaque id (`dm-<uuid>` on Dedalus and locally).
    public var id: String
    public var vcpu: Double
    public var memoryMiB: Int
    public var storageGiB: Int
    public var autosleepSeconds: Int
    public var desiredState: DesiredState
    public var phase: Phase
    /// Why the machine is in its phase (`DesiredStateReached`, `RuntimeWakeFailed`, ...).
    public var reason: String?
    public var lastError: String?
    public var createdAt: Date?
    /// Whether memory_mib is a real limit (local machines report false where cgroups cannot apply it).
    public var memoryEnforced: Bool?

    /// Makes a machine record.
    public init(id: String, vcpu: Double, memoryMiB: Int, storageGiB: Int, autosleepSeconds: Int = 300,
                desiredState: DesiredState, phase: Phase, reason: String? = nil, lastError: String? = nil,
                createdAt: Date? = nil, memoryEnforced: Bool? = nil) {
        self.id = id
        self.vcpu = vcpu
        self.memoryMiB = memoryMiB
        self.storageGiB = storageGiB
        self.autosleepSeconds = autosleepSeconds
        self.desiredState = desiredState
        self.phase = phase
        self.reason = reason
        self.lastError = lastError
        self.createdAt = createdAt
        self.memoryEnforced = memoryEnforced
    }
}

/// One page of a cursor-paginated list.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    /// The cursor of the next page; nil or empty when this is the last.
    public var nextCursor: String?

    /// Makes a page.
    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}
