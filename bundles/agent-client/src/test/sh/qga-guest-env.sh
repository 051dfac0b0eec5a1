#!/bin/sh
# Builds the qemu-guest-agent test guest on top of the tiny guest that hypervisor-libvirt's libvirt-env.sh made in
# GUEST_DIR (run that first): installs Debian's qemu-guest-agent on the host if missing, and writes
# GUEST_DIR/qga-initrd.gz: the tiny guest's initramfs followed by a second archive (the kernel unpacks both, the
# later one over the earlier) with qemu-ga, the shared libraries ldd lists for it, a /sbin/shutdown and /sbin/hwclock for it to run,
# and qga-guest-init as /init.
# With AGENT_JAR (the Quantix guest agent's shaded jar) it also writes GUEST_DIR/qxa-initrd.gz: the same plus a third
# archive with a jlink'd Java runtime (its own class-data sharing archive dumped), the jar as
# /opt/quantix-agent/agent.jar, a user "qx" in /etc/shadow and a chpasswd; qga-guest-init then starts the Quantix
# agent on org.quantix.agent.0 where the qemu-ga guest runs its stand-in.
# Usage: qga-guest-env.sh GUEST_DIR [AGENT_JAR]
set -eu

GUEST=${1:?usage: qga-guest-env.sh GUEST_DIR [AGENT_JAR]}
AGENT_JAR=${2:-}
HERE=$(cd "$(dirname "$0")" && pwd)
PACKAGES="qemu-guest-agent"

log() { echo "qga-guest-env: $*" >&2; }

# install_packages
. "$HERE/../../../../../itests/src/test/sh/host.sh"

install_packages
[ -s "$GUEST/initrd.gz" ] || { log "no tiny guest in $GUEST: run libvirt-env.sh first"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Copies into root $1 every library the programs $2... need, at the path the dynamic loader looks for it, the
# loader itself included.
libraries() {
    into=$1; shift
    for lib in $(ldd "$@" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p' | sort -u); do
        case $lib in "$into"/*) continue ;; esac
        mkdir -p "$into$(dirname "$lib")"
        cp -L "$lib" "$into$lib"
    done
}

stamp=$(cat "$0" "$HERE/qga-guest-init" "$GUEST/initrd.gz" /usr/sbin/qemu-ga | sha256sum | cut -d' ' -f1)
if [ ! -f "$GUEST/qga-stamp" ] || [ "$(cat "$GUEST/qga-stamp")" != "$stamp" ] || [ ! -s "$GUEST/qga-overlay.gz" ]; then
root="$work/root"
mkdir -p "$root/usr/sbin" "$root/etc"
cp /usr/sbin/qemu-ga "$root/usr/sbin/"
libraries "$root" /usr/sbin/qemu-ga
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
(cd "$root" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) > "$GUEST/qga-overlay.gz"
cat "$GUEST/initrd.gz" "$GUEST/qga-overlay.gz" > "$GUEST/qga-initrd.gz.tmp"
mv "$GUEST/qga-initrd.gz.tmp" "$GUEST/qga-initrd.gz"
echo "$stamp" > "$GUEST/qga-stamp"
rm -f "$GUEST/qxa-stamp"
log "ready: $GUEST/qga-initrd.gz"
fi

[ -n "$AGENT_JAR" ] || exit 0
[ -s "$AGENT_JAR" ] || { log "no agent jar at $AGENT_JAR"; exit 1; }
qxa_stamp=$(cat "$GUEST/qga-stamp" "$AGENT_JAR" | sha256sum | cut -d' ' -f1)
if [ -f "$GUEST/qxa-stamp" ] && [ "$(cat "$GUEST/qxa-stamp")" = "$qxa_stamp" ] && [ -s "$GUEST/qxa-initrd.gz" ]; then
    exit 0
fi
java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
root="$work/qxa"
mkdir -p "$root/opt" "$root/etc" "$root/usr/sbin"
# the modules the agent needs (guest-agent/README.md), then the runtime's own CDS archive as the JDK ships one
"$java_home/bin/jlink" --add-modules java.base,java.logging,jdk.unsupported --strip-debug --no-header-files \
    --no-man-pages --output "$root/opt/quantix-agent"
"$root/opt/quantix-agent/bin/java" -Xshare:dump -XX:+UseSerialGC >/dev/null
cp "$AGENT_JAR" "$root/opt/quantix-agent/agent.jar"
libraries "$root" "$root/opt/quantix-agent/bin/java" "$root/opt/quantix-agent/lib/server/libjvm.so" \
    "$root"/opt/quantix-agent/lib/*.so
printf 'root:x:0:0:root:/:/bin/sh\nqx:x:1000:1000:qx:/tmp:/bin/sh\n' > "$root/etc/passwd"
printf 'root:*:20000:0:99999:7:::\nqx:!:20000:0:99999:7:::\n' > "$root/etc/shadow"
chmod 600 "$root/etc/shadow"
# Debian's busybox-static has no chpasswd: this one reads user:password lines as chpasswd does and writes each
# password's SHA-512 crypt (busybox mkpasswd, the password on a pipe, never in argv) into /etc/shadow
cat > "$root/usr/sbin/chpasswd" <<'CHPASSWD'
#!/bin/sh
set -e
while IFS=: read -r user password; do
    grep -q "^$user:" /etc/shadow || { echo "chpasswd: no user $user" >&2; exit 1; }
    hash=$(printf '%s\n' "$password" | mkpasswd -m sha512 -P 0)
    sed -i "s|^$user:[^:]*:|$user:$hash:|" /etc/shadow
done
CHPASSWD
chmod 755 "$root/usr/sbin/chpasswd"
(cd "$root" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) > "$work/qxa-overlay.gz"
cat "$GUEST/qga-initrd.gz" "$work/qxa-overlay.gz" > "$GUEST/qxa-initrd.gz.tmp"
mv "$GUEST/qxa-initrd.gz.tmp" "$GUEST/qxa-initrd.gz"
echo "$qxa_stamp" > "$GUEST/qxa-stamp"
log "ready: $GUEST/qxa-initrd.gz"
