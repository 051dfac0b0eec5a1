# Shared by the image's boot tests: QEMU with OVMF on IMAGE, serial console to a file, waits on its text.
# Before sourcing, set IMAGE and DISK_OPTS (",snapshot=on" leaves the image as it was).
# Environment: QUANTIX_BOOT_ACCEL=kvm|tcg (default kvm when /dev/kvm can be opened, else tcg),
#   QUANTIX_BOOT_TIMEOUT seconds for a boot (default 300 with KVM, 1500 with TCG).
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd

log() { printf '\033[36m%s:\033[0m %s\n' "$(basename "$0" .sh)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

[ -f "$IMAGE" ] || die "no image at $IMAGE: run ./quantix image first"
[ -f "$OVMF_CODE" ] || die "no OVMF firmware at $OVMF_CODE (Debian package ovmf)"
command -v qemu-system-x86_64 >/dev/null || die "no qemu-system-x86_64 (Debian package qemu-system-x86)"

# KVM where /dev/kvm can be opened, TCG otherwise. Nested KVM on some hosts cannot run OVMF (QEMU aborts
# setting an MSR, or stops with "KVM internal error"): an automatic choice of KVM then falls back to TCG once.
ACCEL=${QUANTIX_BOOT_ACCEL:-}
AUTO_ACCEL=no
if [ -z "$ACCEL" ]; then
  AUTO_ACCEL=yes
  if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then ACCEL=kvm; else ACCEL=tcg; fi
fi
case $ACCEL in kvm|tcg) ;; *) die "QUANTIX_BOOT_ACCEL must be kvm or tcg, not $ACCEL" ;; esac

TMP=$(mktemp -d)
QEMU_PID=
stop_qemu() {
  if [ -n "$QEMU_PID" ] && kill -0 "$QEMU_PID" 2>/dev/null; then
    kill "$QEMU_PID"
    wait "$QEMU_PID" 2>/dev/null || true
  fi
  QEMU_PID=
}
# The last boot's serial console is kept beside the image builder's outputs for reading after the test
SERIAL_KEPT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/out/$(basename "$0" .sh)-serial.log"
cleanup() {
  stop_qemu
  [ -s "$TMP/serial.log" ] && mkdir -p "$(dirname "$SERIAL_KEPT")" && cp "$TMP/serial.log" "$SERIAL_KEPT"
  rm -rf "$TMP"
}
trap cleanup EXIT

SERIAL="$TMP/serial.log"
start_qemu() {
  local cpu
  case $ACCEL in
    kvm) cpu=host; TIMEOUT=${QUANTIX_BOOT_TIMEOUT:-300} ;;
    tcg) cpu=max; TIMEOUT=${QUANTIX_BOOT_TIMEOUT:-1500} ;;
  esac
  cp "$OVMF_VARS" "$TMP/vars.fd"
  : > "$SERIAL"
  START=$(date +%s)
  qemu-system-x86_64 -machine q35,accel="$ACCEL" -cpu "$cpu" -smp 2 -m 2048 \
    -nographic -monitor none -serial "file:$SERIAL" -nic none \
    -drive if=pflash,format=raw,readonly=on,file="$OVMF_CODE" \
    -drive if=pflash,format=raw,file="$TMP/vars.fd" \
    -drive file="$IMAGE",format=raw,if=virtio"$DISK_OPTS" \
    > "$TMP/qemu.out" 2>&1 &
  QEMU_PID=$!
  log "QEMU ($ACCEL) started, pid $QEMU_PID, up to $TIMEOUT s for the whole boot"
}

kvm_failed() { [ "$ACCEL" = kvm ] && grep -qE 'KVM internal error|failed to set MSR' "$TMP/qemu.out"; }

# The serial output as text: without terminal escape sequences and carriage returns.
serial_text() { sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1b[()][A-Za-z0-9]//g' -e 's/\r//g' "$SERIAL"; }

# Waits, within the boot's deadline, until the serial console shows $1 ($2 says what that means).
await() {
  local text=$1 what=$2
  until serial_text | grep -aqF -- "$text"; do
    if kvm_failed && [ "$AUTO_ACCEL" = yes ]; then
      log "KVM cannot run this guest here ($(grep -m1 -oE 'KVM internal error|failed to set MSR[^.]*' "$TMP/qemu.out")): TCG"
      stop_qemu; ACCEL=tcg; AUTO_ACCEL=no; start_qemu
      continue
    fi
    kill -0 "$QEMU_PID" 2>/dev/null || { cat "$TMP/qemu.out" >&2; die "QEMU exited while waiting for $what"; }
    if [ $(( $(date +%s) - START )) -ge "$TIMEOUT" ]; then
      log "last serial lines (all of them in $SERIAL_KEPT):"; serial_text | tail -n 30 >&2
      die "no \"$text\" ($what) on the serial console within $TIMEOUT s"
    fi
    sleep 1
  done
  log "$(( $(date +%s) - START )) s: $what"
}

