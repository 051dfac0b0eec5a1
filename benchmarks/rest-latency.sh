#!/usr/bin/env bash
# REST latency on a SIMULATED node (libvirt test driver): defines VMs through POST /api/v1/vms, then measures
# p50/p99 of GET /api/v1/vms at a fixed request rate. Prints figures; asserts nothing.
#   benchmarks/rest-latency.sh [vms=1000] [rate=50] [seconds=30] [limit=100]
# Needs the built distribution (./quantix build). Uses port 18444 so it does not meet a running node.
set -euo pipefail
VMS=${1:-1000}
RATE=${2:-50}
SECONDS_=${3:-30}
LIMIT=${4:-100}
PORT=18444
source "$(dirname "${BASH_SOURCE[0]}")/node.sh"
start_node "$PORT" 19444
java "$ROOT/benchmarks/RestLatency.java" "https://127.0.0.1:$PORT/api/v1" "$CONFIG" admin \
  "benchmark-password-$RANDOM$RANDOM" "$VMS" "$RATE" "$SECONDS_" "$LIMIT"
