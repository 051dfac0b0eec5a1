#!/usr/bin/env bash
# Ceph RBD backend figures on a throw-away one-node cluster (started and stopped here, on 127.0.0.1 only):
# time to create a 10 GiB volume, to clone it, to clone a VM disk from a template, and what the backend
# advertises. Prints figures; asserts nothing. Run as root (installs Ceph if missing).
#   benchmarks/ceph-figures.sh [runs=5]
# Needs the built module (./quantix build). M2=<dir> uses that local Maven repository.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${1:-5}
MODULE=$ROOT/bundles/storage-ceph
[ -d "$MODULE/target/classes" ] || { echo "build first: ./quantix build" >&2; exit 1; }

WORK=$(mktemp -d /tmp/qx-ceph-bench-XXXXXX)
trap 'sh "$MODULE/src/test/sh/ceph-env.sh" stop "$WORK/cluster" 2>/dev/null || true; rm -rf "$WORK"' EXIT
mkdir "$WORK/cluster"
(cd "$ROOT" && mvn -B -q -o ${M2:+-Dmaven.repo.local=$M2} -pl bundles/storage-ceph dependency:build-classpath \
  -Dmdep.includeScope=compile -Dmdep.outputFile="$WORK/cp.txt" >/dev/null)
start=$(date +%s%N)
sh "$MODULE/src/test/sh/ceph-env.sh" start "$WORK/cluster" $$ 2>"$WORK/ceph-env.log" \
  || { cat "$WORK/ceph-env.log" >&2; exit 1; }
echo "one-node cluster to HEALTH_OK: $(( ($(date +%s%N) - start) / 1000000 )) ms (packages already installed)"
# shellcheck disable=SC1091
. "$WORK/cluster/cluster.env"
java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$MODULE/target/classes:$(cat "$WORK/cp.txt")" "$ROOT/benchmarks/CephFigures.java" \
  "$monitors" "$rbdPool" "$user" "$keyring" "$RUNS"
