import NIOHTTP1

/// The API operations `clawrun serve` serves, matched from method and path.
enum Route: Sendable {
    case listMachines, createMachine
    case getMachine(String), updateMachine(String), deleteMachine(String)
    case sleep(String), wake(String), reboot(String)
    case listExecutions(String), createExecution(String)
    case getExecution(String, String), deleteExecution(String, String)
    case output(String, String), events(String, String)

    /// The route's name in stats and fault plans, e.g. `"GET /v1/machines/{machine_id}"`.
    var name: String {
        let m = "/v1/machines/{machine_id}"
        let e = m + "/executions/{execution_id}"
        switch self {
        case .listMachines: return "GET /v1/machines"
        case .createMachine: return "POST /v1/machines"
        case .getMachine: return "GET " + m
        case .updateMachine: return "PATCH " + m
        case .deleteMachine: return "DELETE " + m
        case .sleep: return "POST \(m)/sleep"
        case .wake: return "POST \(m)/wake"
        case .reboot: return "POST \(m)/reboot"
        case .listExecutions: return "GET \(m)/executions"
        case .createExecution: return "POST \(m)/executions"
        case .getExecution: return "GET " + e
        case .deleteExecution: return "DELETE " + e
        case .output: return "GET \(e)/output"
        case .events: return "GET \(e)/events"
        }
    }

    /// The route of a request, or the 404/405 error to answer with.
    static func match(method: HTTPMethod, path: String) -> Result<Route, APIError> {
        // Foundation's percent decoding is a twentieth of a request's cost: only paths with a
        // `%` need it.
        let escaped = path.utf8.contains(UInt8(ascii: "%"))
        var segments = path.split(separator: "/", omittingEmptySubsequences: false).map {
            escaped ? String($0).removingPercentEncoding ?? String($0) : String($0)
        }
        if segments.first == "" { segments.removeFirst() }
        if segments.last == "" { segments.removeLast() }
        var notFound: APIError { APIError(404, "NOT_FOUND", "no API route \(path)") }
        guard segments.count >= 2, segments[0] == "v1", segments[1] == "machines" else { return .failure(notFound) }
        let rest = Array(segments.dropFirst(2))
        if rest.contains("") { return .failure(notFound) }
        var allowed: [String: Route] = [:]
        switch rest.count {
        case 0:
            allowed = ["GET": .listMachines, "POST": .createMachine]
        case 1:
            allowed = ["GET": .getMachine(rest[0]), "PATCH": .updateMachine(rest[0]), "DELETE": .deleteMachine(rest[0])]
        case 2:
            switch rest[1] {
            case "sleep": allowed = ["POST": .sleep(rest[0])]
            case "wake": allowed = ["POST": .wake(rest[0])]
            case "reboot": allowed = ["POST": .reboot(rest[0])]
            case "executions": allowed = ["GET": .listExecutions(rest[0]), "POST": .createExecution(rest[0])]
            default: return .failure(notFound)
            }
        case 3 where rest[1] == "executions":
            allowed = ["GET": .getExecution(rest[0], rest[2]), "DELETE": .deleteExecution(rest[0], rest[2])]
        case 4 where rest[1] == "executions" && rest[3] == "output":
            allowed = ["GET": .output(rest[0], rest[2])]
        case 4 where rest[1] == "executions" && rest[3] == "events":
            allowed = ["GET": .events(rest[0], rest[2])]
        default:
            return .failure(notFound)
        }
        guard let route = allowed[method.rawValue] else {
            let methods = allowed.keys.sorted().joined(separator: ", ")
            return .failure(APIError(405, "METHOD_NOT_ALLOWED", "\(method.rawValue) is not allowed on \(path); use \(methods)"))
        }
        return .success(route)
    }
}
