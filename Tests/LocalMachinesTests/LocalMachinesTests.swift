import ClawrunCore
import Foundation
import Testing
@testable import LocalMachines

@Suite("Local machines", .serialized)
struct LocalMachinesTests {
    @Test("create goes accepted → running; /opt resets on sleep+wake, /home/machine stays, host /opt untouched")
    func rootResetsHomePersists() async throws {
        try await TestHome.with { t in
            let created = try await t.provider.create(MachineSpec(memoryMiB: 256))
            #expect(created.phase == .accepted)
            #expect(created.id.hasPrefix("dm-"))
            let m = try await t.poller.waitPhase(machineId: created.id, phases: [.running], timeout: 120)
            #expect(m.reason == "DesiredStateReached")
            let marker = "/opt/clawrun-test-\(m.id)"
            let wrote = try await t.sh(m.id, "echo gone > \(marker) && echo kept > /home/machine/keep && cat \(marker)")
            #expect(wrote.succeeded)
            #expect(wrote.output.stdout == "gone\n")
            #expect(!FileManager.default.fileExists(atPath: marker))

            let sleeping = try await t.provider.sleep(m.id)
            #expect(sleeping.phase == .stopping)
            _ = try await t.poller.waitPhase(machineId: m.id, phases: [.sleeping], timeout: 60)
            _ = try await t.provider.wake(m.id)
            _ = try await t.poller.waitPhase(machineId: m.id, phases: [.running], timeout: 120)

            let after = try await t.sh(m.id, "test -e \(marker) && echo present || echo absent; cat /home/machine/keep")
            #expect(after.output.stdout == "absent\nkept\n")
            #expect(!FileManager.default.fileExists(atPath: marker))
            // The host's users' folders are not the machine's to see.
            let home = try await t.sh(m.id, "ls -A /home")
            #expect(home.output.stdout == "machine\n")
        }
    }

    @Test("two machines each serve 127.0.0.1:18789 and each reaches its own")
    func loopbackIsPerMachine() async throws {
        try await TestHome.with { t in
            async let a = t.running()
            async let b = t.running()
            let machines = try await [a, b]
            for m in machines {
                let start = try await t.sh(m.id, """
                    mkdir -p /home/machine/www && echo \(m.id) > /home/machine/www/id.txt && \
                    (setsid /usr/bin/python3 -m http.server 18789 --bind 127.0.0.1 -d /home/machine/www \
                    </dev/null &>/dev/null & disown)
                    """)
                #expect(start.succeeded)
            }
            for m in machines {
                let got = try await t.sh(m.id, """
                    for i in $(seq 200); do curl -fsS http://127.0.0.1:18789/id.txt && exit 0; sleep 0.05; done; exit 1
                    """)
                #expect(got.succeeded)
                #expect(got.output.stdout == m.id + "\n")
            }
        }
    }

    @Test("a setsid server outlives its exec, answers the next, and is gone after sleep+wake")
    func detachedServerLifetime() async throws {
        try await TestHome.with { t in
            let m = try await t.running()
            let script = try await t.sh(m.id, """
                echo '#!/bin/bash' > /home/machine/start-gateway.sh && \
                echo 'exec /usr/bin/python3 -m http.server 18789 --bind 127.0.0.1 -d /home/machine' \
                >> /home/machine/start-gateway.sh && chmod +x /home/machine/start-gateway.sh
                """)
            #expect(script.succeeded)
            // The seed's launch line, verbatim: it must return.
            let launch = try await t.sh(
                m.id, "(setsid /home/machine/start-gateway.sh </dev/null &>/dev/null & disown && sleep 10 && echo 'launched')")
            #expect(launch.succeeded)
            #expect(launch.output.stdout == "launched\n")
            let probe = "curl -fsS -o /dev/null -w '%{http_code}' http://127.0.0.1:18789/"
            let answered = try await t.sh(m.id, probe)
            #expect(answered.output.stdout == "200")

            _ = try await t.provider.sleep(m.id)
            _ = try await t.poller.waitPhase(machineId: m.id, phases: [.sleeping], timeout: 60)
            _ = try await t.provider.wake(m.id)
            _ = try await t.poller.waitPhase(machineId: m.id, phases: [.running], timeout: 120)
            let gone = try await t.sh(m.id, probe)
            #expect(gone.execution.status == .failed)
            #expect(gone.execution.exitCode != nil)
        }
    }

    @Test("timeout_ms kills the whole process group and ends expired")
    func timeoutExpires() async throws {
        try await TestHome.with { t in
            let m = try await t.running()
            let r = try await t.sh(m.id, "sleep 10 & sleep 10; echo never", timeoutMs: 1000)
            #expect(r.execution.status == .expired)
            #expect(r.execution.errorCode == "execution_timed_out")
            #expect(r.execution.errorMessage == "execution exceeded timeout_ms")
            #expect(r.execution.exitCode == nil)
            let left = try await t.sh(m.id, "ps -eo args | grep -c '^sleep 10' || true")
            #expect(left.output.stdout == "0\n")
        }
    }

    @Test("50 MB of output is counted, truncated, and not held in memory")
    func largeOutputIsBounded() async throws {
        try await TestHome.with { t in
            let m = try await t.running()
            _ = try await t.sh(m.id, "true")
            let before = residentKiB()
            let r = try await t.sh(m.id, "head -c 50000000 /dev/zero | tr '\\0' a")
            let after = residentKiB()
            #expect(r.succeeded)
            #expect(r.execution.stdoutBytes == 50_000_000)
            #expect(r.execution.stdoutTruncated == true)
            #expect(r.output.stdoutBytes == 50_000_000)
            #expect(r.output.stdoutTruncated)
            #expect(r.output.stdout.utf8.count == OutputCapture.defaultLimit)
            #expect(after - before < 20_000, "resident memory grew by \(after - before) KiB")
        }
    }

    @Test("exit codes, stdin, env, cwd, events, listing and cancelling executions")
    func executionDetails() async throws {
        try await TestHome.with { t in
            let m = try await t.running()
            let failed = try await t.sh(m.id, "echo oops >&2; exit 7")
            #expect(failed.execution.status == .failed)
            #expect(failed.execution.exitCode == 7)
            #expect(failed.execution.errorCode == nil)
            #expect(failed.output.stderr == "oops\n")

            let req = ExecRequest(command: ["/bin/bash", "-c", "pwd; cat; echo $GREETING $HOME; echo $PATH"], cwd: "/tmp",
                                  env: ["GREETING": "hello"], stdin: "from stdin\n")
            let r = try await t.poller.run(machineId: m.id, req, timeout: 60)
            #expect(r.output.stdout == "/tmp\nfrom stdin\nhello /home/machine\n"
                + "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n")
            let argv = try await t.poller.run(machineId: m.id, ExecRequest(command: ["/bin/echo", "a b", "c"]), timeout: 60)
            #expect(argv.output.stdout == "a b c\n")
            #expect(argv.execution.status == .succeeded)
            let killed = try await t.sh(m.id, "kill -TERM $$")
            #expect(killed.execution.status == .failed)
            #expect(killed.execution.signal == 15)

            let events = try await t.provider.events(machineId: m.id, executionId: r.execution.id, cursor: nil, limit: 2)
            #expect(events.items.map(\.sequence) == [1, 2])
            #expect(events.items.map(\.status) == [.queued, .running])
            let rest = try await t.provider.events(machineId: m.id, executionId: r.execution.id,
                                                   cursor: events.nextCursor, limit: 100)
            #expect(rest.items.contains { $0.kind == .stdout })
            #expect(rest.items.last?.status == .succeeded)
            #expect(rest.nextCursor == "")

            let all = try await t.provider.executions(machineId: m.id, cursor: nil, limit: nil)
            #expect(all.items.count == 4)

            let long = try await t.provider.startExecution(machineId: m.id, .shell("sleep 30"))
            #expect(long.status == .running)
            let cancelled = try await t.provider.deleteExecution(machineId: m.id, executionId: long.id)
            #expect(cancelled.status == .cancelled)
        }
    }

    @Test("a missing program or cwd fails the execution and says why; only stdin, stdout and stderr are inherited")
    func startFailuresAndDescriptors() async throws {
        try await TestHome.with { t in
            let m = try await t.running()
            // argv runs as execve does: no PATH search, so a bare name (even of a program that
            // exists) never starts, and a command that never ran is a refusal: error_code, no exit_code.
            for argv0 in ["true", "no-such-program", "/no/such/program"] {
                let missing = try await t.poller.run(machineId: m.id, ExecRequest(command: [argv0]), timeout: 60)
                #expect(missing.execution.status == .failed)
                #expect(missing.execution.exitCode == nil)
                #expect(missing.execution.errorCode == "execution_runner_prepare_failed")
                #expect(missing.execution.errorMessage?.contains("cannot start \(argv0) in the machine: No such file or directory") == true)
            }
            let nowhere = try await t.poller.run(machineId: m.id, ExecRequest(command: ["/bin/true"], cwd: "/no/such/dir"),
                                                 timeout: 60)
            #expect(nowhere.execution.exitCode == 125)
            #expect(nowhere.output.stderr.contains("'/no/such/dir': No such file or directory"))
            // `; :` keeps bash from exec-ing ls, so that the listing is of the shell the execution started.
            let fds = try await t.sh(m.id, "ls /proc/$$/fd; :")
            #expect(fds.output.stdout == "0\n1\n2\n")
        }
    }

    @Test("an execution is answered as created (running), never already ended, however quick its command")
    func createdAnswerIsASnapshot() async throws {
        try await TestHome.with { t in
            let m = try await t.running()
            // Many at once, so that the provider's threads are often taken off the CPU between
            // starting a command and answering, which is when an old answer could see its end.
            for _ in 0..<5 {
                let created = try await withThrowingTaskGroup(of: Execution.self) { group in
                    for _ in 0..<40 {
                        group.addTask { try await t.provider.startExecution(machineId: m.id, .shell("true")) }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(created.allSatisfy { $0.status == .running })
                for execution in created {
                    let (done, _) = try await t.poller.waitExecution(machineId: m.id, execution: execution, timeout: 60)
                    #expect(done.status == .succeeded)
                }
            }
        }
    }

    @Test("a machine's init holds none of the descriptors of the process that booted it")
    func initInheritsNoDescriptors() async throws {
        // Left inheritable on purpose, as NIO leaves its sockets: `clawrun serve`'s listening
        // socket used to live on in every machine's PID 1.
        let inheritable = open("/dev/null", O_RDONLY)
        #expect(inheritable > 2)
        defer { close(inheritable) }
        try await TestHome.with { t in
            let m = try await t.running()
            // Read from the host: inside, PID 1 is not dumpable (it changed its ids on entering
            // the machine's user namespace), so no machine process may look at its descriptors.
            let pid = try #require(t.provider.store.initIdentity(m.id)).pid
            let fds = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").sorted()
            #expect(fds == ["0", "1", "2"])
            let inside = try await t.sh(m.id, "ls /proc/1/fd 2>&1 >/dev/null | grep -c 'Permission denied'")
            #expect(inside.output.stdout == "1\n")
        }
    }

    @Test("reboot ends processes and keeps files, the root's included")
    func rebootKeepsFiles() async throws {
        try await TestHome.with { t in
            let m = try await t.running()
            _ = try await t.sh(m.id, "echo x > /opt/reboot-marker; (setsid sleep 300 </dev/null &>/dev/null &)")
            let rebooting = try await t.provider.reboot(m.id, force: false)
            #expect(rebooting.phase == .starting)
            _ = try await t.poller.waitPhase(machineId: m.id, phases: [.running], timeout: 120)
            let r = try await t.sh(m.id, "cat /opt/reboot-marker; ps -eo args | grep -c '^sleep 300' || true")
            #expect(r.output.stdout == "x\n0\n")
        }
    }
}
