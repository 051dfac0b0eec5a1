# A throw-away SIMULATED node (libvirt test driver) from the built distribution, for the benchmarks: source this
# file, then `start_node REST_PORT GRPC_PORT`. It sets WORK (a temporary directory, removed on exit), NODE (the
# unpacked node) and CONFIG (its config directory, with the TLS certificate), waits until the REST health answers,
# and stops the node when the script exits. Fixed ports well away from a running node's 8443/9443.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ZIP="$ROOT/karaf-distribution/target/quantix-karaf-distribution-0.1.0.zip"
WORK=$(mktemp -d)
NODE=""
CONFIG="$WORK/config"
PID=""
stop_node() {
  local java=""
  # only this run's node: its karaf.home is this run's temporary directory
  [ -n "$NODE" ] && java=$(pgrep -f "karaf.home=$NODE" | head -n 1 || true)
  [ -n "$java" ] && kill "$java" 2>/dev/null
  [ -n "$PID" ] && wait "$PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap stop_node EXIT

start_node() {
  local rest_port=$1 grpc_port=$2
  [ -f "$ZIP" ] || { echo "build first: ./quantix build" >&2; exit 1; }
  unzip -q "$ZIP" -d "$WORK/node"
  NODE=$(echo "$WORK"/node/*)
  echo "port=$rest_port" > "$NODE/etc/io.quantix.rest.cfg"
  echo "port=$grpc_port" > "$NODE/etc/io.quantix.grpc.cfg"
  sed -i "s#^uri *=.*#uri = test://$WORK/libvirt-node.xml#" "$NODE/etc/io.quantix.hypervisor.libvirt.cfg"
  grep -q "^uri = test://" "$NODE/etc/io.quantix.hypervisor.libvirt.cfg" || echo "uri = test://$WORK/libvirt-node.xml" >> "$NODE/etc/io.quantix.hypervisor.libvirt.cfg"
  QUANTIX_DATA_DIR=$WORK/data QUANTIX_CONFIG_DIR=$CONFIG "$NODE/bin/karaf" server > "$WORK/karaf.out" 2>&1 &
  PID=$!
  for _ in $(seq 1 600); do
    curl -skf "https://127.0.0.1:$rest_port/api/v1/health" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -skf "https://127.0.0.1:$rest_port/api/v1/health" >/dev/null || { echo "the node did not come up" >&2; exit 1; }
}

# The class path of a gRPC client: the node's own gRPC runtime, generated API and their libraries.
grpc_classpath() {
  echo "$1"/system/io/quantix/quantix-{grpc-runtime,proto}/0.1.0/*.jar \
    "$1"/system/com/google/{protobuf/protobuf-java,guava/guava,guava/failureaccess,code/gson/gson}/*/*.jar | tr ' ' :
}
