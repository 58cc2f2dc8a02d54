#!/bin/bash
# Measures local machines: create→running, exec round trip, and `true` on 100 machines at once
# against one exec. Needs root (or user namespaces) and util-linux; prints lines starting "BENCH".
set -euo pipefail
cd "$(dirname "$0")/.."
CLAWRUN_BENCH=1 swift test --filter LocalMachinesBench 2>&1 | grep -E "BENCH|passed|failed|error"
