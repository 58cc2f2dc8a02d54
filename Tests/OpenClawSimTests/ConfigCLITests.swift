import Foundation
import OpenClawSim
import Testing

/// `openclaw config …`, `--version` and the config guard, run against the built binary.
@Suite struct ConfigCLITests {
    @Test func versionFlagsNameTheSimulator() async {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        for flag in ["--version", "-V", "-v"] {
            let result = await sandbox.run([flag])
            #expect(result.status == 0)
            #expect(result.stdout.hasPrefix("OpenClaw 2026."))
            #expect(result.stdout.contains("simulator"))
        }
    }

    @Test func setGetUnsetRoundTrip() async throws {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        var result = await sandbox.run(["config", "set", "gateway.mode", "local"])
        #expect(result.status == 0)
        #expect(result.stdout == "Updated gateway.mode. Restart the gateway to apply.\n")
        #expect(await sandbox.run(["config", "get", "gateway.mode"]).stdout == "local\n")

        // All digits become a number, as in the real CLI.
        _ = await sandbox.run(["config", "set", "gateway.port", "19001"])
        #expect(sandbox.readConfig()?.value(atKeys: ["gateway", "port"]) == .number(19001))
        #expect(await sandbox.run(["config", "get", "gateway.port"]).stdout == "19001\n")

        // A quoted digit token with --strict-json stays a string, and get redacts it.
        result = await sandbox.run(["config", "set", "gateway.auth.token", "\"123\"", "--strict-json"])
        #expect(result.status == 0)
        #expect(sandbox.readConfig()?.value(atKeys: ["gateway", "auth", "token"]) == .string("123"))
        #expect(await sandbox.run(["config", "get", "gateway.auth.token"]).stdout == "__OPENCLAW_REDACTED__\n")
        let object = await sandbox.run(["config", "get", "gateway", "--json"])
        #expect(object.stdout.contains("\"token\": \"__OPENCLAW_REDACTED__\""))
        #expect(!object.stdout.contains("123"))

        // Strict mode has no raw-string fallback.
        result = await sandbox.run(["config", "set", "gateway.auth.token", "abc-def", "--strict-json"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("Failed to parse JSON value"))

        result = await sandbox.run(["config", "unset", "gateway.port"])
        #expect(result.stdout == "Removed gateway.port. Restart the gateway to apply.\n")
        result = await sandbox.run(["config", "unset", "gateway.port"])
        #expect(result.status == 1)
        #expect(result.stderr == "Config path not found: gateway.port\n")
        result = await sandbox.run(["config", "get", "gateway.port"])
        #expect(result.status == 1)
        #expect(result.stderr == "Config path not found: gateway.port\n")

        // Writes are private and keep a backup.
        let attributes = try FileManager.default.attributesOfItem(atPath: sandbox.configPath)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(FileManager.default.fileExists(atPath: sandbox.configPath + ".bak"))
        #expect(await sandbox.run(["config", "file"]).stdout == sandbox.configPath + "\n")
    }

    @Test func json5ConfigIsReadAndRewrittenAsJSON() async {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        sandbox.writeConfig("{ /* c */ gateway: { mode: 'local', }, // trailing\n}")
        #expect(await sandbox.run(["config", "get", "gateway.mode"]).stdout == "local\n")
        _ = await sandbox.run(["config", "set", "gateway.bind", "loopback"])
        let text = (try? String(contentsOfFile: sandbox.configPath, encoding: .utf8)) ?? ""
        #expect(text == "{\n  \"gateway\": {\n    \"mode\": \"local\",\n    \"bind\": \"loopback\"\n  }\n}\n")
    }

    @Test func numbersOutsideInt64RoundTripLikeNode() async {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        for (raw, printed) in [("1e20", "100000000000000000000"), ("1e-5", "0.00001"), ("1e21", "1e+21")] {
            #expect(await sandbox.run(["config", "set", "gateway.channelHealthCheckMinutes", raw]).status == 0)
            let text = (try? String(contentsOfFile: sandbox.configPath, encoding: .utf8)) ?? ""
            #expect(text.contains("\"channelHealthCheckMinutes\": \(printed)\n"), "\(raw)")
            #expect(await sandbox.run(["config", "get", "gateway.channelHealthCheckMinutes"]).stdout == printed + "\n")
        }
    }

    @Test func corruptConfigIsRefused() async {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        sandbox.writeConfig("{ gateway: { mode: ")
        let get = await sandbox.run(["config", "get", "gateway.mode"])
        #expect(get.status == 1)
        #expect(get.stderr.contains("Config invalid at"))
        #expect(get.stderr.contains("openclaw doctor --fix"))
        let run = await sandbox.run(["gateway", "run"])
        #expect(run.status == 1)
        #expect(run.stderr.hasPrefix("Config invalid\nFile: "))
        #expect(run.stderr.contains("Run: openclaw doctor --fix"))
    }

    @Test func unknownCommandsAndOptionsFailLikeCommander() async {
        let sandbox = SimSandbox()
        defer { sandbox.cleanup() }
        let command = await sandbox.run(["frobnicate"])
        #expect(command.status == 1)
        #expect(command.stderr == "error: unknown command 'frobnicate'\n")
        let option = await sandbox.run(["config", "get", "gateway.mode", "--bogus"])
        #expect(option.status == 1)
        #expect(option.stderr == "error: unknown option '--bogus'\n")
        let missing = await sandbox.run(["config", "set", "gateway.mode"])
        #expect(missing.stderr == "error: missing required argument 'value'\n")
    }
}
