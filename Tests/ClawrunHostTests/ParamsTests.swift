import ClawrunCore
import Foundation
import Testing

/// `params`: typed `--set` values, refused unknown keys (exit 2) before anything runs.
@Suite struct ParamsTests {
    static let declaration = """
        local p = params{port = 18789, ratio = 0.5, greet = true, install = {"auto", "npm"},
                         timeout = {"60s", doc = "how long to wait"}, model = "", name = "gw"}
        """

    @Test func valuesTakeTheTypeOfTheirDefault() async throws {
        let (outcome, events) = try await Sandbox().run(Self.declaration + """
            return {math.type(p.port), p.port, p.ratio, p.greet, p.install, p.timeout, tostring(p.model), p.name}
            """, args: ["port": "8080", "greet": "no", "install": "npm", "timeout": "1.5m", "ratio": "2"])
        #expect(outcome.exitCode == 0, "\(outcome.error ?? "")")
        #expect(events.last { $0.event == "result" }?["value"]
                == .array([.string("integer"), .int(8080), .int(2), .bool(false), .string("npm"), .int(90),
                           .string("nil"), .string("gw")]))
    }

    @Test func defaultsApplyWhenNothingIsSet() async throws {
        let (outcome, events) = try await Sandbox().run(Self.declaration + """
            return {p.port, p.greet, p.install, p.timeout, p.model == nil}
            """)
        #expect(outcome.exitCode == 0, "\(outcome.error ?? "")")
        #expect(events.last { $0.event == "result" }?["value"]
                == .array([.int(18789), .bool(true), .string("auto"), .int(60), .bool(true)]))
    }

    @Test func anUnknownKeyExitsTwoNamingTheNearestKnownOne() async throws {
        let (outcome, _) = try await Sandbox().run(Self.declaration + "\nerror('ran past params')", args: ["prot": "8080"])
        #expect(outcome.exitCode == 2)
        #expect(outcome.error?.contains("unknown parameter --set prot; did you mean port?") == true, "\(outcome.error ?? "")")
    }

    @Test(arguments: [("port", "80x", "expected a whole number"), ("greet", "maybe", "expected true or false"),
                      ("install", "apt", "expected one of auto, npm"), ("timeout", "soon", "expected a duration")])
    func aMistypedValueExitsTwoNamingIt(key: String, value: String, expected: String) async throws {
        let (outcome, _) = try await Sandbox().run(Self.declaration + "\nerror('ran past params')", args: [key: value])
        #expect(outcome.exitCode == 2)
        #expect(outcome.error?.contains("--set \(key)=\(value): \(expected)") == true, "\(outcome.error ?? "")")
    }
}
