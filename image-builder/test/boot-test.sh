#!/usr/bin/env bash
# Boots the Quantix-OS disk image in QEMU with OVMF and reads its serial console until the initramfs has
# reported the slot it boots and mounted it, and the Quantix console shows the first-boot wizard's first
# screen. Prints the time to each. The guest has no network (-nic none); the disk is opened with
# snapshot=on, so the image is left as it was.
# Usage: image-builder/test/boot-test.sh [IMAGE]   (default: image-builder/out/quantix-os.img)
# Environment: see qemu.sh (QUANTIX_BOOT_ACCEL, QUANTIX_BOOT_TIMEOUT).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IMAGE=${1:-$HERE/../out/quantix-os.img}
DISK_OPTS=,snapshot=on
. "$HERE/qemu.sh"

start_qemu
await "quantix-init: booting slot A" "the initramfs reports slot A"
await "quantix-init: slot A: " "slot A's squashfs, the overlay, Config and Data are mounted"
await "step 1 of 4: Node identity" "the Quantix console shows the first-boot wizard"
log "passed: power-on to the wizard on serial in $(( $(date +%s) - START )) s ($ACCEL)"
