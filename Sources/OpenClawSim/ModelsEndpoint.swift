/// `GET /v1/models` and `GET /v1/models/{id}` (`src/gateway/models-http.ts`): the agent
/// targets a client may put in `model`.
public enum ModelsEndpoint {
    /// Outcome of a models request: status and JSON body.
    public struct Reply {
        public let status: Int
        public let body: String
    }

    /// `openclaw`, `openclaw/default`, then `openclaw/<agent>` for every agent.
    public static func ids(agentIds: [String]) -> [String] {
        ["openclaw", "openclaw/default"] + agentIds.map { "openclaw/\($0)" }
    }

    static func object(_ id: String) -> JSONValue {
        .object([("id", .string(id)), ("object", .string("model")), ("created", .number(0)),
                 ("owned_by", .string("openclaw")), ("permission", .array([]))])
    }

    static func error(_ status: Int, _ message: String) -> Reply {
        Reply(status: status, body: JSONWriter.compact(.object([("error", .object([
            ("message", .string(message)), ("type", .string("invalid_request_error")),
        ]))])))
    }

    /// Answers `path` (`/v1/models` or `/v1/models/<url-encoded id>`).
    public static func reply(path: String, agentIds: [String]) -> Reply {
        let known = ids(agentIds: agentIds)
        if path == "/v1/models" {
            return Reply(status: 200, body: JSONWriter.compact(.object([
                ("object", .string("list")), ("data", .array(known.map(object))),
            ])))
        }
        let encoded = String(path.dropFirst("/v1/models/".count))
        if encoded.isEmpty { return error(400, "Missing model id.") }
        guard let id = PercentDecoding.decode(encoded) else { return error(400, "Invalid model id encoding.") }
        guard ChatCompletions.agentId(forModel: id) != nil else { return error(400, "Invalid model id.") }
        guard known.contains(id.lowercased()) else { return error(404, "Model '\(id)' not found.") }
        return Reply(status: 200, body: JSONWriter.compact(object(id.lowercased())))
    }
}

/// `decodeURIComponent` for path segments; nil on malformed escapes, as JavaScript throws.
public enum PercentDecoding {
    /// Decodes a percent-encoded model id, or nil when the encoding is invalid.
    public static func decode(_ s: String) -> String? {
        var out: [UInt8] = []
        let bytes = Array(s.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%") {
                guard i + 2 < bytes.count, let hi = hex(bytes[i + 1]), let lo = hex(bytes[i + 2]) else { return nil }
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x37
        case 0x61...0x66: return b - 0x57
        default: return nil
        }
    }
}
