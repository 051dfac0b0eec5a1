#!/usr/bin/env bash
# GRUB's A/B choice with its boot counter, in the real GRUB under OVMF: for each case the GRUB environment
# on a copy of the image's EFI partition is set, the copy booted until the initramfs has mounted the slot it
# was given, and the environment read back.
#   1. an update under trial (next_slot=B tries=3): B boots and one try is spent (tries=2)
#   2. its tries spent (next_slot=B tries=0): GRUB goes back to A and clears next_slot
#   3. B marked good (slot=B): B boots and nothing changes
# Usage: image-builder/test/ab-test.sh [IMAGE]   (default: image-builder/out/quantix-os.img; not modified)
# Environment: see qemu.sh (QUANTIX_BOOT_ACCEL, QUANTIX_BOOT_TIMEOUT).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE_IMAGE=${1:-$HERE/../out/quantix-os.img}
IMAGE=$SOURCE_IMAGE
DISK_OPTS=
. "$HERE/qemu.sh"
command -v grub-editenv >/dev/null && command -v mcopy >/dev/null || die "needs grub-editenv (grub-common) and mtools"

IMAGE="$TMP/disk.img"
cp --sparse=always "$SOURCE_IMAGE" "$IMAGE"
ENV="$TMP/grubenv"
# The EFI partition starts at 1 MiB (build.sh's layout); mtools reaches it by offset
ESP="$IMAGE@@1048576"

set_env() {
  grub-editenv "$ENV" create
  grub-editenv "$ENV" set "$@"
  mcopy -o -i "$ESP" "$ENV" ::/EFI/quantix/grubenv
}

# The value of $1 in the environment on the disk ("" when unset or empty).
env_value() {
  mcopy -n -i "$ESP" ::/EFI/quantix/grubenv "$ENV"
  grub-editenv "$ENV" list | sed -n "s/^$1=//p"
}

expect_env() {
  local actual; actual=$(env_value "$1")
  [ "$actual" = "$2" ] || die "after the boot, $1 is \"$actual\", expected \"$2\""
}

# Boots once and waits until the initramfs has mounted slot $1 from its partition $2.
boot_expecting() {
  start_qemu
  await "quantix-init: booting slot $1" "the initramfs boots slot $1"
  await "quantix-init: slot $1: $2 read-only" "slot $1's partition $2 is mounted"
  stop_qemu
}

log "case 1: an update under trial on B, 3 tries"
set_env slot=A next_slot=B tries=3
boot_expecting B /dev/vda3
expect_env slot A; expect_env next_slot B; expect_env tries 2

log "case 2: B's tries spent without being marked good"
set_env slot=A next_slot=B tries=0
boot_expecting A /dev/vda2
serial_text | grep -aqF "slot B was not marked good; back to slot A" || die "GRUB did not say why it left B"
expect_env slot A; expect_env next_slot ""; expect_env tries ""

log "case 3: B marked good"
set_env slot=B
boot_expecting B /dev/vda3
expect_env slot B; expect_env next_slot ""

log "passed: trial boot spends a try, spent tries fall back to the good slot, a good B boots"
