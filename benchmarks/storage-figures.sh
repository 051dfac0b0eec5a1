#!/usr/bin/env bash
# Storage backend figures (dir, nfs, iscsi) on real servers started and stopped here, on 127.0.0.1 only: time to
# create a 10 GiB volume, to clone it, to make a VM disk from a template, and what each backend advertises.
# Prints figures; asserts nothing. Run as root (installs nfs-ganesha and tgt if missing). Ceph: ceph-figures.sh.
#   benchmarks/storage-figures.sh [runs=5]
# Needs the built modules (./quantix build). M2=<dir> uses that local Maven repository.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${1:-5}
NFS=$ROOT/bundles/storage-nfs
ISCSI=$ROOT/bundles/storage-iscsi
for m in storage-dir storage-nfs storage-iscsi storage-qemu; do
  [ -d "$ROOT/bundles/$m/target/classes" ] || { echo "build first: ./quantix build" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/qx-storage-bench-XXXXXX)
trap 'sh "$NFS/src/test/sh/nfs-env.sh" stop "$WORK/nfs" 2>/dev/null || true
      sh "$ISCSI/src/test/sh/tgt-env.sh" stop "$WORK/tgt" 2>/dev/null || true
      rm -rf "$WORK"' EXIT
mkdir -p "$WORK/nfs" "$WORK/tgt" "$WORK/data" "$WORK/dir"
cp=""
for m in storage-dir storage-nfs storage-iscsi; do
  (cd "$ROOT" && mvn -B -q -o ${M2:+-Dmaven.repo.local=$M2} -pl "bundles/$m" dependency:build-classpath \
    -Dmdep.includeScope=compile -Dmdep.outputFile="$WORK/cp-$m.txt" >/dev/null)
  cp="$cp:$ROOT/bundles/$m/target/classes:$(cat "$WORK/cp-$m.txt")"
done
qemu-img create -q -f qcow2 "$WORK/data.qcow2" 1G
qemu-io -f qcow2 -c "write -P 0x5a 0 64M" "$WORK/data.qcow2" >/dev/null
figures() { java -Dquantix.data.dir="$WORK/data" -Dbench.image="$WORK/data.qcow2" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "${cp#:}" "$ROOT/benchmarks/StorageFigures.java" "$@"; }

figures dir "$RUNS" "path=$WORK/dir"

export_dir=$(sh "$NFS/src/test/sh/nfs-env.sh" start "$WORK/nfs" 2>"$WORK/nfs-env.log") \
  || { cat "$WORK/nfs-env.log" >&2; exit 1; }
figures nfs "$RUNS" server=127.0.0.1 "export=$export_dir"
sh "$NFS/src/test/sh/nfs-env.sh" stop "$WORK/nfs"

printf 'bench-secret-%s' "$$" > "$WORK/tgt/chap-secret" && chmod 600 "$WORK/tgt/chap-secret"
port=$(sh "$ISCSI/src/test/sh/tgt-env.sh" start "$WORK/tgt" iqn.2026-11.io.quantix:bench bench 2>"$WORK/tgt-env.log") \
  || { cat "$WORK/tgt-env.log" >&2; exit 1; }
figures iscsi "$RUNS" "portal=127.0.0.1:$port" target=iqn.2026-11.io.quantix:bench chapUser=bench \
  "chapSecretFile=$WORK/tgt/chap-secret"
