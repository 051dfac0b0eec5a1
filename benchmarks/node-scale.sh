#!/usr/bin/env bash
# The node at scale, in one run, figures side by side (issue 13): on one SIMULATED node (libvirt test driver)
#   define VMS VMs through POST /api/v1/vms (8 at a time, as a user's script), then REST GET /vms?limit=100 and
#   gRPC ListVMs(limit=100) at RATE req/s for SECONDS s, beside raw libvirt-java listAllDomains on the node's own
#   test-driver file at the same rate; create -> RUNNING (POST /vms?start=true) beside raw libvirt-java
#   define+create; then boot and idle figures of the node beside a bare Karaf 4.4.10 with the same JVM flags.
# Prints figures and the machine load; asserts nothing.
#   benchmarks/node-scale.sh [vms=10000] [rate=1000] [seconds=30] [creates=200] [idle-seconds=60]
# Needs the built distribution (./quantix build); fetches apache-karaf 4.4.10 from Maven Central with mvn
# (MAVEN_REPO_LOCAL picks the local repository). Ports 18447-18449/19447.
set -euo pipefail
VMS=${1:-10000}
RATE=${2:-1000}
SECONDS_=${3:-30}
CREATES=${4:-200}
IDLE=${5:-60}
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for tool in curl unzip tmux mvn; do
  command -v "$tool" >/dev/null || apt-get install -y -qq "$( [ "$tool" = mvn ] && echo maven || echo "$tool")" >/dev/null
done
load() { echo "machine: $(nproc) cores, $(uptime | sed 's/.*load average/load average/')"; }
REPO=()
[ -n "${MAVEN_REPO_LOCAL:-}" ] && REPO=(-Dmaven.repo.local="$MAVEN_REPO_LOCAL")

source "$BENCH/node.sh"
RESULTS="$WORK/results"
load | tee "$RESULTS"
start_node 18447 19447
PASSWORD="benchmark-password-$RANDOM$RANDOM"
echo "== REST: define $VMS VMs, list, create" | tee -a "$RESULTS"
java "$BENCH/RestLatency.java" "https://127.0.0.1:18447/api/v1" "$CONFIG" admin "$PASSWORD" "$VMS" "$RATE" \
  "$SECONDS_" 100 "$CREATES" | tee -a "$RESULTS"
echo "== gRPC: list the same VMs" | tee -a "$RESULTS"
java -cp "$(grpc_classpath "$NODE")" "$BENCH/GrpcLatency.java" 127.0.0.1:19447 "$CONFIG" admin "$PASSWORD" 0 \
  "$RATE" "$SECONDS_" 100 | grep -v "^defined\|^setup" | tee -a "$RESULTS"
echo "== libvirt-java on the node's test-driver file" | tee -a "$RESULTS"
LIBVIRT_CP=$(echo "$NODE"/system/io/quantix/quantix-hypervisor-libvirt/*/*.jar "$NODE"/system/net/java/dev/jna/jna/*/*.jar | tr ' ' :)
java -cp "$LIBVIRT_CP" "$BENCH/LibvirtFigures.java" "test://$WORK/libvirt-node.xml" "$RATE" "$SECONDS_" "$CREATES" \
  | tee -a "$RESULTS"
load | tee -a "$RESULTS"
stop_node_only() { local java; java=$(pgrep -f "karaf.home=$NODE" | head -n 1 || true); [ -n "$java" ] && kill "$java"; wait "$PID" 2>/dev/null || true; PID=""; }
stop_node_only

echo "== boot and idle" | tee -a "$RESULTS"
BOOT="$WORK/boot"
mkdir -p "$BOOT"
unzip -q "$ZIP" -d "$BOOT/quantix"
"$BENCH/boot.sh" quantix "$(echo "$BOOT"/quantix/*)" 3 "$IDLE" 18448 | tee -a "$RESULTS"
mvn -B -q -ntp "${REPO[@]}" dependency:copy -Dartifact=org.apache.karaf:apache-karaf:4.4.10:tar.gz \
  -DoutputDirectory="$BOOT" >/dev/null
tar -xzf "$BOOT/apache-karaf-4.4.10.tar.gz" -C "$BOOT"
cp "$(echo "$BOOT"/quantix/*)/bin/setenv" "$BOOT/apache-karaf-4.4.10/bin/setenv"   # the same JVM flags
"$BENCH/boot.sh" bare "$BOOT/apache-karaf-4.4.10" 3 "$IDLE" | tee -a "$RESULTS"
load | tee -a "$RESULTS"

echo
echo "================ summary ================"
cat "$RESULTS"
