#!/usr/bin/env bash
# REST latency on a SIMULATED node (libvirt test driver): defines VMs through POST /api/v1/vms, then measures
# p50/p99 of GET /api/v1/vms at a fixed request rate. Prints figures; asserts nothing.
#   benchmarks/rest-latency.sh [vms=1000] [rate=50] [seconds=30] [limit=100]
# Needs the built distribution (./quantix build). Uses port 18444 so it does not meet a running node.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VMS=${1:-1000}
RATE=${2:-50}
SECONDS_=${3:-30}
LIMIT=${4:-100}
PORT=18444
ZIP="$ROOT/karaf-distribution/target/quantix-karaf-distribution-0.1.0.zip"
[ -f "$ZIP" ] || { echo "build first: ./quantix build" >&2; exit 1; }

WORK=$(mktemp -d)
PID=""
home=""
cleanup() {
  local java=""
  # only this run's node: its karaf.home is this run's temporary directory
  [ -n "$home" ] && java=$(pgrep -f "karaf.home=$home" | head -n 1 || true)
  [ -n "$java" ] && kill "$java" 2>/dev/null
  [ -n "$PID" ] && wait "$PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
unzip -q "$ZIP" -d "$WORK/node"
home=$(echo "$WORK"/node/*)
echo "port=$PORT" > "$home/etc/io.quantix.rest.cfg"
sed -i "s#^uri *=.*#uri = test://$WORK/libvirt-node.xml#" "$home/etc/io.quantix.hypervisor.libvirt.cfg"
grep -q "^uri = test://" "$home/etc/io.quantix.hypervisor.libvirt.cfg" || echo "uri = test://$WORK/libvirt-node.xml" >> "$home/etc/io.quantix.hypervisor.libvirt.cfg"
QUANTIX_DATA_DIR=$WORK/data QUANTIX_CONFIG_DIR=$WORK/config "$home/bin/karaf" server > "$WORK/karaf.out" 2>&1 &
PID=$!
for _ in $(seq 1 600); do
  curl -skf "https://127.0.0.1:$PORT/api/v1/health" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -skf "https://127.0.0.1:$PORT/api/v1/health" >/dev/null || { echo "the API did not come up" >&2; exit 1; }
java "$ROOT/benchmarks/RestLatency.java" "https://127.0.0.1:$PORT/api/v1" "$WORK/config" admin \
  "benchmark-password-$RANDOM$RANDOM" "$VMS" "$RATE" "$SECONDS_" "$LIMIT"
