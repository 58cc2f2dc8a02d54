"""The official Python SDK (dedalus-sdk 0.6.0) against `clawrun serve --rate-limit 5/s
--machines-backend memory --seed-machines 3` (burst 2) with the exec table of the Swift test.

Run with DEDALUS_BASE_URL and DEDALUS_API_KEY set; exits 0 when every check held.
"""
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import dedalus_sdk
from dedalus_sdk import Dedalus

SEEDED = "dm-00000000-0000-7000-8000-000000000001"


def rate_limited_answers_carry_the_real_apis_hints():
    impatient = Dedalus(max_retries=0)

    def attempt(_):
        try:
            impatient.machines.list(limit=1)
        except dedalus_sdk.RateLimitError as err:
            return err
        return None

    # Ten at once, however slow this host is today: more than a burst of 2 arrive within the
    # 200 ms a token takes to refill at 5/s.
    with ThreadPoolExecutor(max_workers=10) as pool:
        limited = next((err for err in pool.map(attempt, range(10)) if err is not None), None)
    assert limited is not None, "ten concurrent calls at 5/s with a burst of 2 were never limited"
    headers = limited.response.headers
    wait_ms = float(headers["retry-after-ms"])
    assert 0 < wait_ms <= 1000, headers
    assert int(headers["retry-after"]) >= 1, headers
    assert limited.body["error_code"] == "RATE_LIMITED" and limited.body["retryable"] is True, limited.body
    assert limited.body["retry_after_ms"] == int(wait_ms), limited.body
    assert limited.body["details"]["rate_limit_scope"] == "read_lifecycle_routes", limited.body
    print(f"429 with retry-after-ms {wait_ms:.0f}")


def the_sdk_retries_paced_by_the_hint():
    # The SDK's two retries, each waiting the server's retry-after-ms, get every call through.
    client = Dedalus()
    started = time.monotonic()
    for _ in range(8):
        client.machines.retrieve(machine_id=SEEDED)
    print(f"8 paced calls in {time.monotonic() - started:.2f} s")


def wait_phase(client, machine_id, phase):
    deadline = time.monotonic() + 20
    while True:
        m = client.machines.retrieve(machine_id=machine_id)
        if m.status.phase == phase:
            return m
        assert time.monotonic() < deadline, m
        time.sleep(0.05)


def run(client, machine_id, command):
    e = client.machines.executions.create(machine_id=machine_id, command=command)
    assert e.log_capture is not None, e
    while e.status not in ("succeeded", "failed", "cancelled", "expired"):
        time.sleep(0.05)
        e = client.machines.executions.retrieve(machine_id=machine_id, execution_id=e.execution_id)
    return e, client.machines.executions.output(machine_id=machine_id, execution_id=e.execution_id)


def memory_machines_behave_as_machines():
    client = Dedalus()
    seeded = client.machines.retrieve(machine_id=SEEDED)
    assert seeded.status.phase == "sleeping", seeded
    ids = [m.machine_id for m in client.machines.list(limit=2)]
    assert ids[:3] == [SEEDED, SEEDED[:-1] + "2", SEEDED[:-1] + "3"], ids
    client.machines.wake(machine_id=SEEDED)
    wait_phase(client, SEEDED, "running")
    e, out = run(client, SEEDED, ["/bin/bash", "-c", "hostname"])
    assert e.status == "succeeded" and e.exit_code == 0 and out.stdout == "memory-host\n", (e, out)
    e, out = run(client, SEEDED, ["/bin/bash", "-c", "false"])
    assert e.status == "failed" and e.exit_code == 3 and out.stderr == "scripted failure\n", (e, out)
    e, out = run(client, SEEDED, ["/usr/bin/anything", "else"])
    assert e.status == "failed" and e.exit_code == 127 and "exec table" in out.stderr, (e, out)
    created = client.machines.create(memory_mib=1024)
    wait_phase(client, created.machine_id, "running")
    client.machines.sleep(machine_id=created.machine_id)
    wait_phase(client, created.machine_id, "sleeping")
    print("memory machines ok")


if __name__ == "__main__":
    rate_limited_answers_carry_the_real_apis_hints()
    the_sdk_retries_paced_by_the_hint()
    memory_machines_behave_as_machines()
    sys.exit(0)
