#!/usr/bin/env bash
# Measures real guests on the host's libvirtd (TCG, no KVM needed) through the libvirt backend itself: time from
# define to the tiny guest's marker on its serial console, and live migration to a second libvirtd on this
# machine (total time as the caller sees it, libvirt's own count, the guest's downtime). Prints figures; the
# figures come from the integration tests' log lines, the tests themselves assert behaviour only.
#   benchmarks/libvirt-migration.sh [runs=3]      (root; installs libvirt/QEMU on first use, as the tests do)
# Env: MAVEN_ARGS, e.g. "-o -Dmaven.repo.local=/path/to/repo".
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${1:-3}
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
cd "$ROOT"
# shellcheck disable=SC2086
mvn -B -ntp -q -Dstyle.color=never ${MAVEN_ARGS:-} install -DskipTests -pl bundles/hypervisor-libvirt -am >/dev/null
for run in $(seq 1 "$RUNS"); do
  # shellcheck disable=SC2086
  if ! mvn -B -ntp -Dstyle.color=never ${MAVEN_ARGS:-} verify -pl bundles/hypervisor-libvirt -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
      -Dit.test='LibvirtBackendIT#aDirectKernelBoot*,LibvirtMigrationIT' >"$LOG" 2>&1; then
    echo "run $run failed: see the output below" >&2; tail -50 "$LOG" >&2; exit 1
  fi
  boot=$(sed -n 's/.*create to guest marker on the serial console: \([0-9]*\) ms.*/\1/p' "$LOG")
  read -r total libvirt downtime sent < <(sed -n \
    's/.*live migration of a .* guest: \([0-9]*\) ms in total.*, \([0-9]*\) ms by libvirt.s count, downtime \([0-9]*\) ms, \([0-9]*\) MiB sent.*/\1 \2 \3 \4/p' "$LOG")
  printf 'run %d: define+start -> guest marker %s ms; live migration %s ms (libvirt: %s ms), downtime %s ms, %s MiB sent\n' \
    "$run" "$boot" "$total" "$libvirt" "$downtime" "$sent"
done
