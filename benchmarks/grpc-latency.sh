#!/usr/bin/env bash
# gRPC latency on a SIMULATED node (libvirt test driver): defines VMs through CreateVM, then measures p50/p99 of
# ListVMs at a fixed request rate, over TLS with a bearer token as any client. Prints figures; asserts nothing.
#   benchmarks/grpc-latency.sh [vms=1000] [rate=50] [seconds=30] [limit=100]
# Needs the built distribution (./quantix build). Uses ports 18445/19445 so it does not meet a running node.
set -euo pipefail
VMS=${1:-1000}
RATE=${2:-50}
SECONDS_=${3:-30}
LIMIT=${4:-100}
PORT=19445
source "$(dirname "${BASH_SOURCE[0]}")/node.sh"
start_node 18445 "$PORT"
java -cp "$(grpc_classpath "$NODE")" "$ROOT/benchmarks/GrpcLatency.java" "127.0.0.1:$PORT" "$CONFIG" admin \
  "benchmark-password-$RANDOM$RANDOM" "$VMS" "$RATE" "$SECONDS_" "$LIMIT"
