import ClawrunCore
import Foundation
import Testing

/// Resolves the targets and does nothing else: the `targets` event lists them.
let targetsWorkflow = "targets()"

/// Fails the step of every machine named in `--set fail=id,id`.
let failByIdWorkflow = """
    local bad = {}
    for id in (args.fail or ""):gmatch("[^,]+") do bad[id] = true end
    parallel(targets(), function(m)
      step("work", function() if bad[m.id] then error("asked to fail") end end)
    end)
    """

extension EndToEnd {
    @Suite struct Targeting {
        func targetIds(_ outcome: ClawrunHome.Outcome) -> [String] {
            outcome.events.first { $0.event == "targets" }?["machines"]?.arrayValue?.compactMap(\.stringValue) ?? []
        }

        func statuses(_ outcome: ClawrunHome.Outcome) -> [String] {
            outcome.events.last?["machines"]?.arrayValue?.compactMap { $0["status"]?.stringValue } ?? []
        }

        @Test("--shard K/3 covers the fleet once; --select filters; --fail-fast and --max-fail-percent skip the rest")
        func twelveMachines() async throws {
            try await ClawrunHome.with { home in
                let ids = try await home.createMachines(12)
                let list = try home.write("ids.txt", ids.joined(separator: "\n"))
                let show = try home.write("show.lua", targetsWorkflow)

                var seen: [String] = []
                for k in 1...3 {
                    let part = try await home.run([show, "--all", "--shard", "\(k)/3", "--json"])
                    #expect(part.status == 0)
                    seen += targetIds(part)
                }
                #expect(seen.sorted() == ids.sorted())
                #expect(Set(seen).count == seen.count)
                let listed = try await home.run([show, "--machines", "@" + list, "--shard", "2/3", "--json"])
                #expect(Set(targetIds(listed)) == Set(ids.filter { try! Shard(2, of: 3).contains($0) }))

                let asleep = Array(ids.prefix(4))
                let sleeper = try home.write("sleep.lua", """
                    parallel(targets(), function(m) machine.sleep(m); wait_phase(m, "sleeping") end)
                    """)
                #expect(try await home.run([sleeper, "-q"] + asleep.flatMap { ["--machine", $0] }).status == 0)
                let sleeping = try await home.run([show, "--select", "phase=sleeping", "--json"])
                #expect(Set(targetIds(sleeping)) == Set(asleep))
                let awake = try await home.run([show, "--all", "--select", "phase!=sleeping", "--json"])
                #expect(Set(targetIds(awake)) == Set(ids.dropFirst(4)))

                let work = try home.write("work.lua", failByIdWorkflow)
                let awakeIds = Array(ids.dropFirst(4))
                let fast = try await home.run([work, "--machines", "@" + list, "--parallel", "1", "--fail-fast",
                                         "--set", "fail=\(ids[1])", "--json"])
                #expect(fast.status == 1)
                #expect(statuses(fast) == ["ok", "failed"] + Array(repeating: "skipped", count: 10))
                #expect(fast.stderr.contains("starting no more machines: a target failed (--fail-fast)"))

                let capped = try await home.run([work, "--parallel", "1", "--max-fail-percent", "15", "--json",
                                           "--set", "fail=\(awakeIds[0]),\(awakeIds[2])"] + awakeIds.flatMap { ["--machine", $0] })
                #expect(capped.status == 1)
                #expect(statuses(capped) == ["failed", "ok", "failed"] + Array(repeating: "skipped", count: 5))
                // 2 of 8 is exactly 25%: not more than 25, so nothing is skipped.
                let roomy = try await home.run([work, "--parallel", "1", "--max-fail-percent", "25", "--json",
                                          "--set", "fail=\(awakeIds[0]),\(awakeIds[2])"] + awakeIds.flatMap { ["--machine", $0] })
                #expect(statuses(roomy) == ["failed", "ok", "failed", "ok", "ok", "ok", "ok", "ok"])
            }
        }

        @Test("a second run with the same --lock exits 75 at once; the lock frees when the first ends")
        func lock() async throws {
            try await ClawrunHome.with { home in
                let lock = home.url.appendingPathComponent("fleet.lock").path
                let hold = try home.write("hold.lua", "sleep(600)")
                let first = try home.start([hold, "--lock", lock, "--json", "--grace", "0"])
                try await first.wait { $0.contains("\"run_start\"") }
                let second = try await home.run([hold, "--lock", lock])
                #expect(second.status == 75)
                #expect(second.stderr == "clawrun: another run holds the lock \(lock)\n")
                first.signal(SIGTERM)
                #expect(await first.finish().status == 143)
                let third = try await home.run([try home.write("quick.lua", "return 1"), "--lock", lock, "-q"])
                #expect(third.status == 0)
            }
        }

        @Test("usage errors exit 2 with one line and run nothing")
        func usage() async throws {
            try await ClawrunHome.with { home in
                let show = try home.write("show.lua", targetsWorkflow)
                let cases: [([String], String)] = [
                    (["--machines", "@missing.txt"], "clawrun: --machines @missing.txt: no such file"),
                    (["--select", "colour=blue"], "clawrun: --select: unknown key 'colour'"),
                    (["--shard", "4/3"], "clawrun: --shard 4/3"),
                    (["--max-fail-percent", "150"], "clawrun: --max-fail-percent must be from 0 to 100"),
                    (["--retry-failed"], "clawrun: no run record of show"),
                    (["--retry-failed", "--all"], "clawrun: --retry-failed takes its targets"),
                ]
                for (args, message) in cases {
                    let outcome = try await home.run([show] + args)
                    #expect(outcome.status == 2, "\(args)")
                    #expect(outcome.stderr.hasPrefix(message), "\(args): \(outcome.stderr)")
                    #expect(outcome.stderr.split(separator: "\n").count == 1, "\(args): \(outcome.stderr)")
                }
                for args in [["dm-a", "dm-b"], ["--all"]] {
                    let delete = try await home.run(["machines", "delete"] + args)
                    #expect(delete.status == 2, "\(args)")
                    #expect(delete.stderr.contains("--yes"), "\(args): \(delete.stderr)")
                }
            }
        }

        @Test("machines delete takes each id once; --all --yes destroys every machine of the provider")
        func deleteAll() async throws {
            try await ClawrunHome.with { home in
                let ids = try await home.createMachines(3)
                // An id given twice is one machine: no --yes needed, deleted once.
                let one = try await home.run(["machines", "delete", ids[0], ids[0]])
                #expect(one.status == 0, "\(one.stderr)")
                #expect(one.stdout == "\(ids[0]) destroyed\n")
                let deleted = try await home.run(["machines", "delete", "--all", "--yes"])
                #expect(deleted.status == 0, "\(deleted.stderr)")
                #expect(Set(deleted.stdout.split(separator: "\n").map(String.init))
                        == Set(ids.dropFirst().map { "\($0) destroyed" }))
                let left = try await home.run(["machines", "list", "--json"])
                #expect(left.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", "\(left.stdout)")
            }
        }
    }
}
