/// The slice of OpenClaw's config schema that the gateway and CLI depend on.
///
/// The real schema is strict zod; the simulator checks the keys it acts on, with zod's
/// wording, so that a value that would break the real gateway (a numeric token, a string
/// port) is refused here too instead of being silently accepted.
public enum ConfigValidator {
    /// Human-readable problems (`gateway.port: Invalid input: expected number, received string`); empty when valid.
    public static func problems(in config: JSONValue) -> [String] {
        guard config.isObject else {
            return ["<root>: Invalid input: expected object, received \(typeName(config))"]
        }
        var problems: [String] = []
        func check(_ keys: [String], _ rule: (JSONValue) -> String?) {
            guard let value = config.value(atKeys: keys), let problem = rule(value) else { return }
            problems.append(keys.joined(separator: ".") + ": " + problem)
        }
        check(["gateway"]) { expect($0, "object") }
        check(["gateway", "mode"]) { oneOf($0, ["local", "remote"]) }
        check(["gateway", "bind"]) { oneOf($0, ["auto", "lan", "loopback", "custom", "tailnet"]) }
        check(["gateway", "port"]) { value in
            guard case .number(let n) = value else { return expect(value, "number") }
            if n != n.rounded() { return "Invalid input: expected int, received number" }
            if n < 1 { return "Too small: expected number to be >0" }
            if n > 65535 { return "Too big: expected number to be <=65535" }
            return nil
        }
        check(["gateway", "auth"]) { expect($0, "object") }
        check(["gateway", "auth", "mode"]) { oneOf($0, ["none", "token", "password", "trusted-proxy"]) }
        check(["gateway", "auth", "token"]) { secretInput($0) }
        check(["gateway", "auth", "password"]) { secretInput($0) }
        for endpoint in ["chatCompletions", "responses"] {
            check(["gateway", "http", "endpoints", endpoint, "enabled"]) { expect($0, "boolean") }
        }
        check(["env"]) { expect($0, "object") }
        if let vars = config.value(atKeys: ["env", "vars"])?.objectMembers {
            for (key, value) in vars where value.stringValue == nil {
                problems.append("env.vars.\(key): " + (expect(value, "string") ?? ""))
            }
        }
        return problems
    }

    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    private static func expect(_ value: JSONValue, _ type: String) -> String? {
        typeName(value) == type ? nil : "Invalid input: expected \(type), received \(typeName(value))"
    }

    private static func oneOf(_ value: JSONValue, _ options: [String]) -> String? {
        if let s = value.stringValue, options.contains(s) { return nil }
        return "Invalid option: expected one of " + options.map { "\"\($0)\"" }.joined(separator: "|")
    }

    /// A secret is a string or a SecretRef object (`{source, provider, id}`).
    private static func secretInput(_ value: JSONValue) -> String? {
        switch value {
        case .string, .object: return nil
        default: return "Invalid input: expected string, received \(typeName(value))"
        }
    }
}
