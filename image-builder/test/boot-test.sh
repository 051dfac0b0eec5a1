#!/usr/bin/env bash
# Boots the Quantix-OS disk image in QEMU with OVMF and reads its serial console until the initramfs has
# reported the slot it boots and mounted it, and the Quantix console shows the first-boot wizard's first
# screen. Prints the time to each. The guest has no network (-nic none); the disk is opened with
# snapshot=on, so the image is left as it was.
# Usage: image-builder/test/boot-test.sh [IMAGE]   (default: image-builder/out/quantix-os.img)
# Environment: QUANTIX_BOOT_ACCEL=kvm|tcg (default kvm when /dev/kvm can be opened, else tcg),
#   QUANTIX_BOOT_TIMEOUT seconds for the whole boot (default 300 with KVM, 1500 with TCG).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IMAGE=${1:-$HERE/../out/quantix-os.img}
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd

log() { printf '\033[36mboot-test:\033[0m %s\n' "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

[ -f "$IMAGE" ] || die "no image at $IMAGE: run ./quantix image first"
[ -f "$OVMF_CODE" ] || die "no OVMF firmware at $OVMF_CODE (Debian package ovmf)"
command -v qemu-system-x86_64 >/dev/null || die "no qemu-system-x86_64 (Debian package qemu-system-x86)"

if [ -z "${QUANTIX_BOOT_ACCEL:-}" ]; then
  if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then QUANTIX_BOOT_ACCEL=kvm; else QUANTIX_BOOT_ACCEL=tcg; fi
fi
case $QUANTIX_BOOT_ACCEL in
  kvm) cpu=host; timeout=${QUANTIX_BOOT_TIMEOUT:-300} ;;
  tcg) cpu=max; timeout=${QUANTIX_BOOT_TIMEOUT:-1500} ;;
  *) die "QUANTIX_BOOT_ACCEL must be kvm or tcg, not $QUANTIX_BOOT_ACCEL" ;;
esac

TMP=$(mktemp -d)
QEMU_PID=
cleanup() {
  if [ -n "$QEMU_PID" ] && kill -0 "$QEMU_PID" 2>/dev/null; then
    kill "$QEMU_PID"
    wait "$QEMU_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

SERIAL="$TMP/serial.log"
cp "$OVMF_VARS" "$TMP/vars.fd"
: > "$SERIAL"
START=$(date +%s)
qemu-system-x86_64 -machine q35,accel="$QUANTIX_BOOT_ACCEL" -cpu "$cpu" -smp 2 -m 2048 \
  -nographic -monitor none -serial "file:$SERIAL" -nic none \
  -drive if=pflash,format=raw,readonly=on,file="$OVMF_CODE" \
  -drive if=pflash,format=raw,file="$TMP/vars.fd" \
  -drive file="$IMAGE",format=raw,if=virtio,snapshot=on \
  > "$TMP/qemu.out" 2>&1 &
QEMU_PID=$!
log "QEMU ($QUANTIX_BOOT_ACCEL) started, pid $QEMU_PID, up to $timeout s for the whole boot"

# The serial output as text: without terminal escape sequences and carriage returns.
serial_text() { sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1b[()][A-Za-z0-9]//g' -e 's/\r//g' "$SERIAL"; }

# Waits, within the boot's deadline, until the serial console shows $1 ($2 says what that means).
await() {
  local text=$1 what=$2
  until serial_text | grep -aqF -- "$text"; do
    kill -0 "$QEMU_PID" 2>/dev/null || { cat "$TMP/qemu.out" >&2; die "QEMU exited while waiting for $what"; }
    if [ $(( $(date +%s) - START )) -ge "$timeout" ]; then
      log "last serial lines:"; serial_text | tail -n 30 >&2
      die "no \"$text\" ($what) on the serial console within $timeout s"
    fi
    sleep 1
  done
  log "$(( $(date +%s) - START )) s: $what"
}

await "quantix-init: booting slot A" "the initramfs reports slot A"
await "quantix-init: slot A: " "slot A's squashfs, the overlay, Config and Data are mounted"
await "step 1 of 4: Node identity" "the Quantix console shows the first-boot wizard"
log "passed: power-on to the wizard on serial in $(( $(date +%s) - START )) s ($QUANTIX_BOOT_ACCEL)"
