#!/usr/bin/env bash
# Boot and idle figures of one Karaf home, as a user meets it: `bin/karaf` (with its console, in tmux) until
# REST /health answers and until the console answers (Quantix: the console's first-boot wizard is on the screen;
# bare Karaf: its `version` command answered), then after IDLE seconds of idle the JVM's resident
# memory, threads and CPU use over a further IDLE seconds. Prints figures; asserts nothing.
#   benchmarks/boot.sh quantix|bare HOME [runs=3] [idle-seconds=60] [rest-port=18446]
# Run 1 is a first boot, the others restarts; the idle figures are taken after the last run.
# quantix: HOME is an unpacked Quantix distribution (its REST port is moved to rest-port, its libvirt URI to a
# test:// file of this run); bare: HOME is an unpacked apache-karaf, started with the Quantix JVM flags
# (Quantix's bin/setenv) and asked `version`. Sourced by node-scale.sh or run alone.
set -euo pipefail
KIND=$1
HOME_=$(cd "$2" && pwd)
RUNS=${3:-3}
IDLE=${4:-60}
REST=${5:-18446}
command -v tmux >/dev/null || apt-get install -y -qq tmux >/dev/null
command -v curl >/dev/null || apt-get install -y -qq curl >/dev/null
SESSION="qxboot-$$"
DATA=$(mktemp -d)
trap 'tmux kill-session -t "$SESSION" 2>/dev/null || true; rm -rf "$DATA"' EXIT

if [ "$KIND" = quantix ]; then
  echo "port=$REST" > "$HOME_/etc/io.quantix.rest.cfg"
  echo "port=$((REST + 1000))" > "$HOME_/etc/io.quantix.grpc.cfg"
  sed -i "s#^uri *=.*#uri = test://$DATA/libvirt-node.xml#" "$HOME_/etc/io.quantix.hypervisor.libvirt.cfg"
  # a fresh node's console is the wizard: nothing is typed into it, its first screen is the answer
  ASK=""; ANSWER="step 1 of 4: Node identity"
else
  ASK="version"; ANSWER="^4\.4\.10"
fi
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# run 1 is a first boot (no bundle cache, no node identity or certificate yet); later runs are restarts
rm -rf "$HOME_/data"
for run in $(seq 1 "$RUNS"); do
  what=restart; [ "$run" -eq 1 ] && what="first boot"
  start=$(date +%s%N)
  # the environment is given in the command: a tmux server that already runs would not pass this shell's on
  tmux new-session -d -s "$SESSION" -x 200 -y 50 \
    "EXTRA_JAVA_OPTS='${EXTRA_JAVA_OPTS:-}' QUANTIX_DATA_DIR=$DATA/data QUANTIX_CONFIG_DIR=$DATA/config $HOME_/bin/karaf"
  health=""; console=""
  while [ -z "$console" ] || { [ "$KIND" = quantix ] && [ -z "$health" ]; }; do
    [ "$(ms "$start")" -gt 180000 ] && { echo "$KIND: no answer within 180 s" >&2; exit 1; }
    if [ "$KIND" = quantix ] && [ -z "$health" ] \
        && curl -skf -m 1 "https://127.0.0.1:$REST/api/v1/health" >/dev/null 2>&1; then
      health=$(ms "$start")
    fi
    if [ -z "$console" ]; then
      [ -n "$ASK" ] && tmux send-keys -t "$SESSION" "$ASK" Enter
      tmux capture-pane -t "$SESSION" -p | grep -qE "$ANSWER" && console=$(ms "$start")
    fi
    sleep 0.1
  done
  pid=$(pgrep -f "karaf.home=$HOME_" | head -n 1)
  line="$KIND run $run ($what): bin/karaf -> the console answered in $console ms"
  [ "$KIND" = quantix ] && line="$KIND run $run ($what): bin/karaf -> REST /health answered in $health ms, -> the console's wizard in $console ms"
  echo "$line"
  if [ "$run" -eq "$RUNS" ]; then
    sleep "$IDLE"
    before=$(ticks "$pid"); sleep "$IDLE"; after=$(ticks "$pid")
    hz=$(getconf CLK_TCK)
    printf '%s idle: RSS %d MiB, %d threads, CPU %.2f%% of a core over %d s (after %d s idle)\n' "$KIND" \
      $(( $(ps -o rss= -p "$pid") / 1024 )) "$(ls "/proc/$pid/task" | wc -l)" \
      "$(awk -v d=$((after - before)) -v hz="$hz" -v s="$IDLE" 'BEGIN{print d * 100 / hz / s}')" "$IDLE" "$IDLE"
  fi
  # Karaf's shell stops on its command; the Quantix console has none, and Karaf stops cleanly on SIGTERM
  if [ "$KIND" = quantix ]; then kill "$pid" 2>/dev/null || true; else tmux send-keys -t "$SESSION" "shutdown -f" Enter; fi
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill "$pid" 2>/dev/null || true
  tmux kill-session -t "$SESSION" 2>/dev/null || true
done
