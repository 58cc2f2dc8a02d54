"""The seed's `exec` helper with the official Python SDK (dedalus-sdk 0.6.0): create an execution,
poll it every 1 s until it succeeds or fails, then read its output. Prints one JSON line with the
wall time. Usage: sdk_seed_exec.py MACHINE_ID "shell command" (DEDALUS_BASE_URL, DEDALUS_API_KEY set).
"""
import json
import sys
import time

from dedalus_sdk import Dedalus


def main():
    machine_id, command = sys.argv[1], sys.argv[2]
    client = Dedalus()
    start = time.monotonic()
    e = client.machines.executions.create(machine_id=machine_id, command=["/bin/bash", "-c", command],
                                          timeout_ms=120000)
    polls = 0
    while e.status not in ("succeeded", "failed"):
        time.sleep(1)
        polls += 1
        e = client.machines.executions.retrieve(machine_id=machine_id, execution_id=e.execution_id)
    output = client.machines.executions.output(machine_id=machine_id, execution_id=e.execution_id)
    wall = time.monotonic() - start
    print(json.dumps({"wall": wall, "polls": polls, "status": e.status, "stdout": output.stdout}))


if __name__ == "__main__":
    main()
