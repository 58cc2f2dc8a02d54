import ClawrunCore
import Foundation
import NIOHTTP1

extension APIService {
    /// Runs one API operation against the provider and shapes the answer as the spec does.
    func handle(_ route: Route, _ request: APIRequest) async throws -> APIResponse {
        switch route {
        case .listMachines:
            let (cursor, limit) = try paging(request)
            let page = try await provider.list(cursor: cursor, limit: limit)
            var items: [MachineDocument] = []
            for m in page.items { items.append(.listItem(m, record: await ledger.observe(m))) }
            return .json(PageDocument(items: items, nextCursor: nonEmpty(page.nextCursor)))
        case .createMachine:
            let spec = try decode(CreateMachineRequest.self, request).spec
            try spec.validate()
            guard spec.memoryMiB <= memoryCapacityMiB else {
                throw APIError(400, "INVALID_REQUEST",
                               "memory_mib exceeds capacity: \(spec.memoryMiB) MiB requested, at most \(memoryCapacityMiB) MiB")
            }
            let m = try await provider.create(spec)
            stats.withLock { $0.machinesCreated += 1 }
            _ = await ledger.observe(m)
            return .json(MachineDocument.mutation(m))
        case .getMachine(let id):
            let m = try await provider.get(id)
            return .json(MachineDocument.detail(m, record: await ledger.observe(m)))
        case .updateMachine:
            throw APIError(501, "NOT_IMPLEMENTED", "updating a machine is not supported by clawrun serve")
        case .deleteMachine(let id):
            return try await mutation(provider.delete(id))
        case .sleep(let id):
            return try await mutation(provider.sleep(id))
        case .wake(let id):
            return try await mutation(provider.wake(id))
        case .reboot(let id):
            let force: Bool
            switch request.query["force"] {
            case nil, "false": force = false
            case "true": force = true
            case let other?: throw APIError(400, "INVALID_REQUEST", "force must be true or false, got '\(other)'")
            }
            return try await mutation(provider.reboot(id, force: force))
        case .listExecutions(let id):
            let (cursor, limit) = try paging(request)
            let page = try await provider.executions(machineId: id, cursor: cursor, limit: limit)
            var items: [ExecutionDocument] = []
            for e in page.items { items.append(await document(e)) }
            return .json(PageDocument(items: items, nextCursor: nonEmpty(page.nextCursor)))
        case .createExecution(let id):
            let exec = try decode(CreateExecutionRequest.self, request).execRequest()
            if faults.withLock({ $0.firstExecUnavailable }), await ledger.claimFirstExecRefusal(machineId: id) {
                count("first_exec_unavailable")
                throw APIError(503, "DEPENDENCY_UNAVAILABLE", "runtime unavailable: guest agent is not ready yet",
                               retryable: true, retryAfterMs: 200)
            }
            return .json(await document(try await provider.startExecution(machineId: id, exec)))
        case .getExecution(let id, let eid):
            return .json(await document(try await provider.execution(machineId: id, executionId: eid)))
        case .deleteExecution(let id, let eid):
            return .json(await document(try await provider.deleteExecution(machineId: id, executionId: eid)))
        case .output(let id, let eid):
            let output = try await provider.output(machineId: id, executionId: eid)
            return .json(ExecutionOutputDocument(executionId: eid, output: output))
        case .events(let id, let eid):
            let (cursor, limit) = try paging(request)
            let page = try await provider.events(machineId: id, executionId: eid, cursor: cursor, limit: limit)
            return .json(PageDocument(items: page.items.map(ExecutionEventDocument.init(event:)),
                                      nextCursor: nonEmpty(page.nextCursor)))
        }
    }

    private func mutation(_ m: Machine) async -> APIResponse {
        _ = await ledger.observe(m)
        return .json(MachineDocument.mutation(m))
    }

    private func document(_ e: Execution) async -> ExecutionDocument {
        if let createdAt = e.createdAt { return ExecutionDocument(execution: e, createdAt: createdAt) }
        return ExecutionDocument(execution: e, createdAt: await ledger.createdAt(executionId: e.id))
    }

    private func nonEmpty(_ cursor: String?) -> String? {
        (cursor ?? "").isEmpty ? nil : cursor
    }

    /// `cursor` and `limit` from the query; a bad limit is a 400.
    private func paging(_ request: APIRequest) throws -> (String?, Int?) {
        let query = request.query
        var limit: Int?
        if let text = query["limit"] {
            guard let n = Int(text), n > 0 else {
                throw APIError(400, "INVALID_REQUEST", "limit must be a positive integer, got '\(text)'")
            }
            limit = n
        }
        return (query["cursor"].flatMap { $0.isEmpty ? nil : $0 }, limit)
    }

    /// A JSON body (an empty body reads as `{}`); a malformed one is a 400 naming the bad field.
    private func decode<T: Decodable>(_ type: T.Type, _ request: APIRequest) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: request.body.isEmpty ? Data("{}".utf8) : request.body)
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw APIError(400, "INVALID_REQUEST", "\(field) has the wrong type")
        } catch {
            throw APIError(400, "INVALID_REQUEST", "the request body is not a JSON object")
        }
    }
}
