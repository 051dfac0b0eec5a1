#!/bin/sh
# A second libvirtd on this machine, as the destination of migration tests: it runs as its own system user
# (a session daemon, so its QEMU guests run as that user too) with its own host_uuid, as another node would.
# libvirt-env.sh must have run first (packages, the system libvirtd).
#   libvirt-peer.sh start DIR   → prints the daemon's URI (qemu+unix:///session?socket=DIR/run/libvirt/libvirt-sock)
#   libvirt-peer.sh stop DIR    → stops the daemon and its virtlogd, by the PIDs they recorded under DIR
# DIR must be an empty or absent directory that its parent lets the peer's user reach.
set -eu

ACTION=${1:?usage: libvirt-peer.sh start|stop DIR}
DIR=${2:?usage: libvirt-peer.sh start|stop DIR}
PEER_USER=${QX_PEER_USER:-qx-migrate}
SOCKET="$DIR/run/libvirt/libvirt-sock"

log() { echo "libvirt-peer: $*" >&2; }

start() {
    getent passwd "$PEER_USER" >/dev/null \
        || useradd --system --user-group --home-dir /nonexistent --shell /usr/sbin/nologin "$PEER_USER"
    mkdir -p "$DIR/config/libvirt" "$DIR/run" "$DIR/home" "$DIR/data" "$DIR/cache"
    # Its own host_uuid: libvirt refuses to migrate to a daemon with the source's (it takes it for the same host).
    echo "host_uuid = \"$(cat /proc/sys/kernel/random/uuid)\"" > "$DIR/config/libvirt/libvirtd.conf"
    chown -R "$PEER_USER:" "$DIR"
    chmod 0755 "$DIR"
    chmod 0700 "$DIR/run"
    log "starting libvirtd as $PEER_USER in $DIR"
    runuser -u "$PEER_USER" -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$DIR/home" \
        XDG_CONFIG_HOME="$DIR/config" XDG_RUNTIME_DIR="$DIR/run" XDG_DATA_HOME="$DIR/data" \
        XDG_CACHE_HOME="$DIR/cache" libvirtd -d
    uri="qemu+unix:///session?socket=$SOCKET"
    i=0
    until virsh -c "$uri" version >/dev/null 2>&1; do
        i=$((i + 1))
        [ $i -le 60 ] || { log "the peer libvirtd did not answer within 30 s"; exit 1; }
        sleep 0.5
    done
    echo "$uri"
}

stop_pid_file() {
    [ -f "$1" ] || return 0
    pid=$(cat "$1")
    kill "$pid" 2>/dev/null || return 0
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do i=$((i + 1)); sleep 0.1; done
}

stop() {
    # Guests first: a daemon that stops leaves its QEMU processes running.
    uri="qemu+unix:///session?socket=$SOCKET"
    for d in $(virsh -c "$uri" list --name 2>/dev/null || true); do
        virsh -c "$uri" destroy "$d" >/dev/null 2>&1 || true
    done
    stop_pid_file "$DIR/run/libvirt/libvirtd.pid"
    stop_pid_file "$DIR/run/libvirt/virtlogd.pid"
    rm -rf "$DIR"
    log "stopped"
}

case $ACTION in
    start) start ;;
    stop) stop ;;
    *) log "unknown action $ACTION"; exit 2 ;;
esac
