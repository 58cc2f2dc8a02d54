"""The official Python SDK (dedalus-sdk 0.6.0) drives a full lifecycle against `clawrun serve`.

Run with DEDALUS_BASE_URL and DEDALUS_API_KEY set; exits 0 when every step parsed and behaved.
"""
import sys
import time

import dedalus_sdk
from dedalus_sdk import Dedalus


def wait_phase(client, machine_id, phase, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        m = client.machines.retrieve(machine_id=machine_id)
        assert m.status.memory_configured_mib >= 1, m
        assert m.status.revision, m
        if m.status.phase == phase:
            return m
        assert m.status.phase not in ("failed", "destroyed") or phase == m.status.phase, m
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {phase}: {m.status.phase}")
        time.sleep(0.05)


def run(client, machine_id, command):
    e = client.machines.executions.create(machine_id=machine_id, command=command, timeout_ms=10000)
    assert e.log_capture is not None and e.created_at is not None, e
    while e.status not in ("succeeded", "failed", "cancelled", "expired"):
        time.sleep(0.05)
        e = client.machines.executions.retrieve(machine_id=machine_id, execution_id=e.execution_id)
    out = client.machines.executions.output(machine_id=machine_id, execution_id=e.execution_id)
    return e, out


def main():
    client = Dedalus()
    created = client.machines.create(vcpu=1, memory_mib=2048, storage_gib=10, autosleep="300s")
    mid = created.machine_id
    assert created.phase == "accepted", created
    assert created.autosleep_seconds == 300, created
    wait_phase(client, mid, "running")

    e, out = run(client, mid, ["/bin/bash", "-c", "echo hello-sdk"])
    assert e.status == "succeeded" and e.exit_code == 0, e
    assert out.stdout == "hello-sdk\n", out
    e, _ = run(client, mid, ["/bin/bash", "-c", "exit 3"])
    assert e.status == "failed" and e.exit_code == 3, e

    events = list(client.machines.executions.events(machine_id=mid, execution_id=e.execution_id, limit=1))
    assert events and events[0].type == "lifecycle", events
    executions = list(client.machines.executions.list(machine_id=mid, limit=1))
    assert len(executions) == 2, executions

    for _ in range(2):
        client.machines.create(memory_mib=1024)
    machines = list(client.machines.list(limit=1))
    assert len(machines) == 3 and all(m.created_at for m in machines), machines

    asleep = client.machines.sleep(machine_id=mid)
    assert asleep.desired_state == "sleeping", asleep
    wait_phase(client, mid, "sleeping")
    client.machines.wake(machine_id=mid)
    wait_phase(client, mid, "running")
    client.machines.reboot(machine_id=mid, force=True)
    wait_phase(client, mid, "running")

    try:
        client.machines.create(memory_mib=10_000_000)
        raise SystemExit("oversized create did not fail")
    except dedalus_sdk.BadRequestError as err:
        assert err.body["error_code"] == "INVALID_REQUEST", err.body
        assert "memory_mib exceeds capacity" in err.body["message"], err.body
    try:
        client.machines.retrieve(machine_id="dm-00000000-0000-7000-8000-000000000000")
        raise SystemExit("unknown machine did not fail")
    except dedalus_sdk.NotFoundError:
        pass

    deleted = client.machines.delete(machine_id=mid)
    assert deleted.desired_state == "destroyed", deleted
    wait_phase(client, mid, "destroyed")

    bad = Dedalus(api_key="wrong-key", max_retries=0)
    try:
        bad.machines.list()
        raise SystemExit("wrong key did not fail")
    except dedalus_sdk.AuthenticationError as err:
        assert err.body["error_code"] == "AUTH_INVALID", err.body
    print("sdk lifecycle ok")


if __name__ == "__main__":
    main()
    sys.exit(0)
