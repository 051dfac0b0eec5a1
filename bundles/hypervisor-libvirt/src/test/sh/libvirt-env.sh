#!/bin/sh
# Prepares this machine for the real-libvirtd integration tests (run as root; idempotent, fast when done):
#   1. installs libvirt, QEMU, OVMF and busybox-static from Debian if any is missing,
#   2. starts virtlogd and libvirtd if they are not running (there may be no systemd to do it),
#   3. builds the tiny guest once into CACHE_DIR: a Debian kernel and a busybox initramfs whose /init
#      (tiny-guest-init, next to this script) prints a marker on ttyS0 and powers off on ACPI shutdown.
# Never starts libvirt's "default" network: it would add NAT rules and an address to the host.
# Usage: libvirt-env.sh CACHE_DIR   → CACHE_DIR/vmlinuz and CACHE_DIR/initrd.gz
set -eu

CACHE=${1:?usage: libvirt-env.sh CACHE_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
# ovmf: UEFI guests (with and without Secure Boot); dosfstools and mtools: the EFI system partition of the UEFI test.
PACKAGES="libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils busybox-static genisoimage ovmf dosfstools mtools"
# The virtio modules the guest loads, in dependency order (each after what it needs); virtio_blk only on request.
# The rest only the agent-client IT's guest loads: a virtio NIC, and ext4 for a data disk it freezes.
MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_console evdev button virtio_blk
 failover net_failover virtio_net crc16 mbcache jbd2 crc32c_generic ext4"

log() { echo "libvirt-env: $*" >&2; }

# install_packages, free_port
. "$(cd "$(dirname "$0")" && pwd)/../../../../../itests/src/test/sh/host.sh"

running() { pidof "$1" >/dev/null 2>&1; }

# Without udev (containers), /dev/kvm stays root-only: libvirtd (root) sees KVM but QEMU's user cannot open
# it, so libvirt re-probes QEMU's capabilities on every call (~1 min each). Apply Debian's udev rule by hand.
kvm_permissions() {
    [ -c /dev/kvm ] || return 0
    [ "$(stat -c '%G %a' /dev/kvm)" = "kvm 660" ] && return 0
    log "giving /dev/kvm to group kvm, mode 0660 (what udev does on Debian)"
    chgrp kvm /dev/kvm
    chmod 0660 /dev/kvm
}

start_daemons() {
    running virtlogd || { log "starting virtlogd"; virtlogd -d; }
    if ! running libvirtd; then
        # Debian marks the "default" NAT network autostart on install: libvirtd would start it with us.
        if [ -e /etc/libvirt/qemu/networks/autostart/default.xml ]; then
            log "disabling autostart of libvirt's default network"
            rm -f /etc/libvirt/qemu/networks/autostart/default.xml
        fi
        log "starting libvirtd"
        libvirtd -d
    fi
    i=0
    until virsh -c qemu:///system version >/dev/null 2>&1; do
        i=$((i + 1))
        [ $i -le 60 ] || { log "libvirtd did not answer within 30 s"; exit 1; }
        sleep 0.5
    done
}

# The kernel package the distribution currently offers: what linux-image-amd64 depends on.
kernel_package() {
    apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n1
}

build_guest() {
    stamp=$(cat "$0" "$HERE/tiny-guest-init" | sha256sum | cut -d' ' -f1)
    if [ -f "$CACHE/stamp" ] && [ "$(cat "$CACHE/stamp")" = "$stamp" ] \
            && [ -s "$CACHE/vmlinuz" ] && [ -s "$CACHE/initrd.gz" ]; then
        return 0
    fi
    pkg=$(kernel_package)
    [ -n "$pkg" ] || { apt-get update -qq; pkg=$(kernel_package); }
    [ -n "$pkg" ] || { log "no linux-image-*-amd64 package known to apt"; exit 1; }
    log "building the tiny guest from $pkg into $CACHE"
    work=$(mktemp -d)
    chmod 777 "$work"  # apt-get download writes as the _apt user
    trap 'rm -rf "$work"' EXIT
    (cd "$work" && apt-get download -qq "$pkg" >/dev/null)
    dpkg-deb -x "$work"/linux-image-*.deb "$work/kernel"
    root="$work/initramfs"
    mkdir -p "$root/bin" "$root/mods" "$root/proc" "$root/sys" "$root/dev"
    cp /bin/busybox "$root/bin/busybox"
    cp "$HERE/tiny-guest-init" "$root/init"
    chmod 755 "$root/init"
    for m in $MODULES; do
        ko=$(find "$work/kernel/lib/modules" -name "$m.ko" | head -n1)
        [ -n "$ko" ] || { log "module $m not found in $pkg"; exit 1; }
        cp "$ko" "$root/mods/"
    done
    mkdir -p "$CACHE"
    (cd "$root" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) > "$CACHE/initrd.gz.tmp"
    cp "$work"/kernel/boot/vmlinuz-* "$CACHE/vmlinuz.tmp"
    mv "$CACHE/initrd.gz.tmp" "$CACHE/initrd.gz"
    mv "$CACHE/vmlinuz.tmp" "$CACHE/vmlinuz"
    echo "$stamp" > "$CACHE/stamp"
}

# Test domains an interrupted earlier run left behind would clash with this run's names: remove them
# (only the tests' own qx-it-* names; nothing else in libvirtd is touched).
remove_stale_test_domains() {
    for d in $(virsh -c qemu:///system list --all --name | grep '^qx-it-' || true); do
        log "removing stale test domain $d"
        virsh -c qemu:///system destroy "$d" >/dev/null 2>&1 || true
        virsh -c qemu:///system undefine --nvram --snapshots-metadata "$d" >/dev/null 2>&1 \
            || virsh -c qemu:///system undefine "$d" >/dev/null 2>&1 || true
    done
}

install_packages
kvm_permissions
start_daemons
remove_stale_test_domains
build_guest
log "ready: $CACHE"
