/// The machines a run targets, as the command line chose them: ids (`--machine`, `--machines
/// @FILE`, `--retry-failed`), every machine (`--all`), narrowed by `--select` and `--shard`.
/// `--select` or `--shard` without ids or `--all` start from every machine.
public struct TargetSelection: Sendable, Equatable {
    /// Machine ids in the order given.
    public var ids: [String]
    /// Every machine of the provider.
    public var all: Bool
    /// Field filters.
    public var selectors: [MachineSelector]
    /// The part of the fleet this run takes.
    public var shard: Shard?

    /// Makes a selection.
    public init(ids: [String] = [], all: Bool = false, selectors: [MachineSelector] = [], shard: Shard? = nil) {
        self.ids = ids
        self.all = all
        self.selectors = selectors
        self.shard = shard
    }

    /// Whether the list starts from every machine of the provider.
    public var startsFromAll: Bool { all || (ids.isEmpty && (!selectors.isEmpty || shard != nil)) }

    /// Lists more than this many ids with the provider's list call (a few pages) instead of a get each.
    static let listThreshold = 8

    /// The machines chosen, in the order given (ids) or listed (`--all`). An id the provider does
    /// not know fails with a message that names it.
    public func resolve(_ provider: any MachineProvider) async throws -> [Machine] {
        var machines: [Machine] = []
        var listed: [String: Machine] = [:]
        if startsFromAll || ids.count > TargetSelection.listThreshold {
            let all = try await provider.listAll()
            if startsFromAll { machines = all }
            for m in all { listed[m.id] = m }
        }
        var seen = Set(machines.map(\.id))
        for id in ids where seen.insert(id).inserted {
            if let m = listed[id] {
                machines.append(m)
                continue
            }
            do {
                machines.append(try await provider.get(id))
            } catch let e as ProviderError where e.status == 404 {
                throw ClawrunError.invalidArgument("--machine \(id): no such machine on provider \(provider.name)")
            }
        }
        return filter(machines)
    }

    /// The machines that pass the selectors and the shard.
    public func filter(_ machines: [Machine]) -> [Machine] {
        machines.filter { m in
            MachineSelector.matchAll(selectors, m) && (shard?.contains(m.id) ?? true)
        }
    }
}
