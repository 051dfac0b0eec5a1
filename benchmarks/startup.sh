#!/usr/bin/env bash
# Measures a node as a user meets it: time from `bin/karaf` to `qx:vm-list` answering on the console,
# then the node's resident memory after it has idled. Prints figures; asserts nothing.
#   benchmarks/startup.sh [runs=3] [idle-seconds=60]
# Needs the built distribution (./quantix build) and tmux.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${1:-3}
IDLE=${2:-60}
ZIP="$ROOT/karaf-distribution/target/quantix-karaf-distribution-0.1.0.zip"
[ -f "$ZIP" ] || { echo "build first: ./quantix build" >&2; exit 1; }
command -v tmux >/dev/null || apt-get install -y -qq tmux >/dev/null

WORK=$(mktemp -d)
trap 'tmux kill-session -t qxbench 2>/dev/null || true; rm -rf "$WORK"' EXIT
printf 'distribution zip: %s MiB\n' "$(( $(stat -c %s "$ZIP") / 1024 / 1024 ))"

for run in $(seq 1 "$RUNS"); do
  rm -rf "$WORK/node" && mkdir -p "$WORK/node" && unzip -q "$ZIP" -d "$WORK/node"
  home=$(echo "$WORK"/node/*)
  start=$(date +%s%N)
  tmux new-session -d -s qxbench -x 200 -y 50 "QUANTIX_DATA_DIR=$WORK/data $home/bin/karaf"
  answered=""
  while [ -z "$answered" ]; do
    sleep 0.2
    tmux send-keys -t qxbench "qx:vm-list" Enter
    tmux capture-pane -t qxbench -p | grep -qE "no VMs|Name +│ State" && answered=$(date +%s%N)
    [ $(( ($(date +%s%N) - start) / 1000000000 )) -gt 120 ] && { echo "node did not answer in 120 s" >&2; exit 1; }
  done
  printf 'run %d: bin/karaf -> qx:vm-list answered in %d ms\n' "$run" $(( (answered - start) / 1000000 ))
  if [ "$run" -eq "$RUNS" ]; then
    sleep "$IDLE"
    pid=$(pgrep -f "karaf.home=$home" | head -n 1)
    printf 'idle RSS after %d s: %d MiB (pid %s)\n' "$IDLE" $(( $(ps -o rss= -p "$pid") / 1024 )) "$pid"
  fi
  tmux send-keys -t qxbench "shutdown -f" Enter
  for _ in $(seq 1 100); do tmux has-session -t qxbench 2>/dev/null || break; sleep 0.2; done
  tmux kill-session -t qxbench 2>/dev/null || true
done
