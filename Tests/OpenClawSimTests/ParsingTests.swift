import OpenClawRules
import OpenClawSim
import Testing

/// In-process checks of the pure parts: JSON5, JSON output, config paths, redaction,
/// reload planning, model routing, SHA-256.
@Suite struct ParsingTests {
    @Test func json5Features() throws {
        let value = try JSON5Parser.parseJSON5("""
        // comment
        { unquoted: 'single', "q": "d", hex: 0x1F, inf: Infinity, lead: .5, trail: 5., /* c */ list: [1, 2,], }
        """)
        #expect(value["unquoted"] == .string("single"))
        #expect(value["hex"] == .number(31))
        #expect(value["inf"] == .number(.infinity))
        #expect(value["lead"] == .number(0.5))
        #expect(value["trail"] == .number(5))
        #expect(value["list"] == .array([.number(1), .number(2)]))
        #expect(throws: JSONParseError.self) { try JSON5Parser.parseJSON5("{a:") }
    }

    @Test func strictErrorsUseNodeWording() {
        func message(_ text: String) -> String {
            do { _ = try JSON5Parser.parseStrict(text); return "" } catch { return "\(error)" }
        }
        #expect(message("") == "Unexpected end of JSON input")
        #expect(message("{a:1}") == "Expected property name or '}' in JSON at position 1 (line 1 column 2)")
        #expect(message("hello") == "Unexpected token 'h', \"hello\" is not valid JSON")
        #expect(message("[1] x") == "Unexpected non-whitespace character after JSON at position 4 (line 1 column 5)")
        #expect(message("{\"a\":1,}") == "Expected double-quoted property name in JSON at position 7 (line 1 column 8)")
    }

    @Test func writerMatchesJSONStringify() {
        let value = JSONValue.object([("a", .number(1)), ("b", .array([])), ("c", .object([])), ("d", .string("x\"\n")),
                                      ("e", .number(0.1)), ("f", .array([.bool(true), .null]))])
        #expect(JSONWriter.compact(value) == #"{"a":1,"b":[],"c":{},"d":"x\"\n","e":0.1,"f":[true,null]}"#)
        #expect(JSONWriter.pretty(.object([("a", .array([.number(1)]))])) == "{\n  \"a\": [\n    1\n  ]\n}")
        #expect(JSONWriter.formatNumber(1e-7) == "1e-7")
        #expect(JSONWriter.formatNumber(19001) == "19001")
    }

    /// What Node's `String(n)` prints, including the ranges where `Int64` would trap.
    static let javaScriptNumbers: [(Double, String)] = [
        (1e20, "100000000000000000000"), (1e21, "1e+21"), (1e-5, "0.00001"), (1e-6, "0.000001"),
        (1e-7, "1e-7"), (-1e-7, "-1e-7"), (0.1 + 0.2, "0.30000000000000004"), (-0.0, "0"), (-42, "-42"),
        (123.456, "123.456"), (9.223372036854776e18, "9223372036854776000"), (1.5e300, "1.5e+300"),
        (.leastNonzeroMagnitude, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"), (.infinity, "null"),
    ]

    @Test(arguments: javaScriptNumbers)
    func numbersFormatLikeJavaScript(value: Double, expected: String) {
        #expect(JSONWriter.formatNumber(value) == expected)
    }

    @Test func configPathsSetAndUnset() throws {
        let path = try ConfigPath("agents.list[0].id")
        #expect(path.segments == ["agents", "list", "0", "id"])
        let set = try ConfigPath("gateway.auth.token").set(.string("t"), in: .object([]))
        #expect(set.value(atKeys: ["gateway", "auth", "token"]) == .string("t"))
        #expect(try ConfigPath("gateway.auth.token").unset(in: set)?.value(atKeys: ["gateway", "auth"]) == .object([]))
        #expect(try ConfigPath("gateway.nope").unset(in: set) == nil)
        #expect(try ConfigPath(#"env.vars["A.B"]"#).segments == ["env", "vars", "A.B"])
    }

    /// The rule of OpenClaw's src/config/schema.hints.ts (`isSensitiveConfigPath`: SENSITIVE_PATTERNS
    /// on the whole dotted path, minus SENSITIVE_KEY_WHITELIST_SUFFIXES), used by the simulator's
    /// redaction and by clawrun alike (OpenClawRules).
    @Test func redactionCoversSecretPathsByOpenClawsRule() {
        for path in ["gateway.auth.token", "authToken", "gateway.auth.password", "clientSecret", "models.providers.x.apiKey",
                     "api_key", "env.vars.OPENAI_API_KEY", "env.vars.ANTHROPIC_OAUTH_TOKEN", "secrets.providers.x.id",
                     "tools.encryptKey", "ssh.private_key", "gcp.serviceAccount", "gcp.serviceAccountRef",
                     "hooks.token[]"] {
            #expect(SensitiveConfigPath.matches(path), "\(path)")
        }
        for path in ["gateway.mode", "tokens", "gateway.port", "keyboard", "agents.defaults.maxTokens",
                     "models.x.contextTokens", "usage.tokenCount", "gateway.auth.passwordFile", "env.vars.PATH"] {
            #expect(!SensitiveConfigPath.matches(path), "\(path)")
        }
        // redact-snapshot.ts's fallback: strings at secret paths, `${VAR}` references kept.
        let redacted = Redaction.redact(.object([("token", .string("s")), ("apiKey", .string("${OPENAI_API_KEY}")),
                                                 ("maxTokens", .number(5))]))
        #expect(redacted == .object([("token", .string(Redaction.sentinel)), ("apiKey", .string("${OPENAI_API_KEY}")),
                                     ("maxTokens", .number(5))]))
    }

    @Test func reloadPlanRestartsOnGatewayKeysOnly() throws {
        let old = try JSON5Parser.parseJSON5("{gateway:{auth:{token:'a'},remote:{url:'x'}},agents:{defaults:{model:'a/b'}}}")
        let token = try JSON5Parser.parseJSON5("{gateway:{auth:{token:'b'},remote:{url:'x'}},agents:{defaults:{model:'a/b'}}}")
        #expect(ConfigReloadPlan(from: old, to: token).restartPaths == ["gateway.auth.token"])
        let model = try JSON5Parser.parseJSON5("{gateway:{auth:{token:'a'},remote:{url:'y'}},agents:{defaults:{model:'c/d'}}}")
        let plan = ConfigReloadPlan(from: old, to: model)
        #expect(!plan.needsRestart)
        #expect(plan.hotPaths == ["agents.defaults.model"])
    }

    @Test func modelRoutingAndHash() {
        #expect(ChatCompletions.agentId(forModel: "openclaw") == "main")
        #expect(ChatCompletions.agentId(forModel: "OpenClaw/Default") == "main")
        #expect(ChatCompletions.agentId(forModel: "agent:ops") == "ops")
        #expect(ChatCompletions.agentId(forModel: "openai/gpt-4o") == nil)
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
