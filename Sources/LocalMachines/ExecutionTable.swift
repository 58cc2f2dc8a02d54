/// The executions a provider instance started, by id and, in creation order, by machine.
struct ExecutionTable {
    var runs: [String: ExecutionRun] = [:]
    var byMachine: [String: [String]] = [:]

    mutating func add(_ run: ExecutionRun, id: String, machineId: String) {
        runs[id] = run
        byMachine[machineId, default: []].append(id)
    }

    mutating func remove(id: String, machineId: String) {
        runs[id] = nil
        byMachine[machineId]?.removeAll { $0 == id }
    }
}
