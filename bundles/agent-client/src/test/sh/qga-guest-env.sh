#!/bin/sh
# Builds the qemu-guest-agent test guest on top of the tiny guest that hypervisor-libvirt's libvirt-env.sh made in
# GUEST_DIR (run that first): installs Debian's qemu-guest-agent on the host if missing, and writes
# GUEST_DIR/qga-initrd.gz: the tiny guest's initramfs followed by a second archive (the kernel unpacks both, the
# later one over the earlier) with qemu-ga, the shared libraries ldd lists for it, a /sbin/shutdown and /sbin/hwclock for it to run,
# and qga-guest-init as /init.
# Usage: qga-guest-env.sh GUEST_DIR
set -eu

GUEST=${1:?usage: qga-guest-env.sh GUEST_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
PACKAGES="qemu-guest-agent"

log() { echo "qga-guest-env: $*" >&2; }

# install_packages
. "$HERE/../../../../../itests/src/test/sh/host.sh"

install_packages
[ -s "$GUEST/initrd.gz" ] || { log "no tiny guest in $GUEST: run libvirt-env.sh first"; exit 1; }
stamp=$(cat "$0" "$HERE/qga-guest-init" "$GUEST/initrd.gz" /usr/sbin/qemu-ga | sha256sum | cut -d' ' -f1)
if [ -f "$GUEST/qga-stamp" ] && [ "$(cat "$GUEST/qga-stamp")" = "$stamp" ] && [ -s "$GUEST/qga-initrd.gz" ]; then
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root/usr/sbin" "$root/etc"
cp /usr/sbin/qemu-ga "$root/usr/sbin/"
# every library at the path the dynamic loader looks for it, the loader itself included
for lib in $(ldd /usr/sbin/qemu-ga | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
done
printf 'ID=quantix-test\nPRETTY_NAME="Quantix qemu-guest-agent test guest"\nVERSION_ID=1\n' > "$root/etc/os-release"
printf 'root:x:0:0:root:/:/bin/sh\n' > "$root/etc/passwd"
# busybox has no shutdown command; qemu-ga's guest-shutdown runs /sbin/shutdown -P|-H|-r +0 <message>
mkdir -p "$root/sbin"
printf '#!/bin/sh\ncase "$1" in -r) exec reboot -f ;; -H) exec halt -f ;; *) exec poweroff -f ;; esac\n' > "$root/sbin/shutdown"
chmod 755 "$root/sbin/shutdown"
# guest-set-time runs /sbin/hwclock (and says "unsupported" without it); busybox's applet writes the guest's RTC
ln -s /bin/busybox "$root/sbin/hwclock"
cp "$HERE/qga-guest-init" "$root/init"
chmod 755 "$root/init"
(cd "$root" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) > "$work/overlay.gz"
cat "$GUEST/initrd.gz" "$work/overlay.gz" > "$GUEST/qga-initrd.gz.tmp"
mv "$GUEST/qga-initrd.gz.tmp" "$GUEST/qga-initrd.gz"
echo "$stamp" > "$GUEST/qga-stamp"
log "ready: $GUEST/qga-initrd.gz"
