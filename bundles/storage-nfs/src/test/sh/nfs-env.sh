#!/bin/sh
# A real NFS server for the nfs backend's integration tests, on 127.0.0.1 only (run as root; idempotent).
#   nfs-env.sh start DIR  installs nfs-ganesha (VFS) + rpcbind + libnfs-utils if missing, starts rpcbind -w unless
#                         one runs (QEMU's NFS client finds the server's ports through it), then ganesha with its own
#                         config, NFS and MOUNT ports picked free, exporting DIR/export; prints that export path.
#   nfs-env.sh stop DIR   stops the ganesha started for DIR (by its pid file), and rpcbind if this script started it.
# Nothing is mounted: the machine has no kernel NFS; the backend and QEMU speak NFS from user space.
set -eu

ACTION=${1:?usage: nfs-env.sh start|stop DIR}
DIR=${2:?usage: nfs-env.sh start|stop DIR}
# qemu-block-extra: QEMU's and qemu-img's nfs:// driver (a Recommends of QEMU, which libvirt-env.sh leaves out)
PACKAGES="nfs-ganesha nfs-ganesha-vfs rpcbind libnfs-utils qemu-block-extra"

log() { echo "nfs-env: $*" >&2; }

# install_packages, free_port
. "$(cd "$(dirname "$0")" && pwd)/../../../../../itests/src/test/sh/host.sh"

start() {
    install_packages
    mkdir -p "$DIR/export" "$DIR/recovery"
    if ! pidof rpcbind >/dev/null 2>&1; then
        log "starting rpcbind -w"
        # -w: warm start; rpcbind cannot bind to 127.0.0.1 alone (-h 127.0.0.1 crashes it)
        rpcbind -w
        touch "$DIR/rpcbind.started"
    fi
    nfs_port=$(free_port)
    mnt_port=$(free_port)
    cat > "$DIR/ganesha.conf" <<CONF
NFS_CORE_PARAM {
  Protocols = 3;
  NFS_Port = $nfs_port;
  MNT_Port = $mnt_port;
  Bind_addr = 127.0.0.1;
  Enable_NLM = false;
  Enable_RQUOTA = false;
}
NFS_KRB5 { Active_krb5 = false; }
NFSV4 { Graceless = true; RecoveryBackend = fs; }
EXPORT {
  Export_Id = 1;
  Path = $DIR/export;
  Pseudo = $DIR/export;
  Access_Type = RW;
  Squash = No_Root_Squash;
  SecType = sys;
  Protocols = 3;
  Transports = TCP;
  FSAL { Name = VFS; }
}
LOG { Default_Log_Level = EVENT; }
CONF
    log "starting nfs-ganesha on 127.0.0.1:$nfs_port (mount $mnt_port) exporting $DIR/export"
    ganesha.nfsd -f "$DIR/ganesha.conf" -L "$DIR/ganesha.log" -p "$DIR/ganesha.pid" -N NIV_EVENT
    i=0
    until nfs-ls "nfs://127.0.0.1$DIR/export/" >/dev/null 2>&1; do
        i=$((i + 1))
        [ $i -le 120 ] || { log "the export did not answer within 60 s"; tail -20 "$DIR/ganesha.log" >&2; exit 1; }
        sleep 0.5
    done
    echo "$DIR/export"
}

stop() {
    if [ -s "$DIR/ganesha.pid" ]; then
        pid=$(cat "$DIR/ganesha.pid")
        kill "$pid" 2>/dev/null || true
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 40 ]; do i=$((i + 1)); sleep 0.25; done
        kill -9 "$pid" 2>/dev/null || true
        rm -f "$DIR/ganesha.pid"
    fi
    if [ -e "$DIR/rpcbind.started" ]; then
        pid=$(pidof rpcbind || true)
        [ -z "$pid" ] || kill $pid
        rm -f "$DIR/rpcbind.started"
    fi
}

case "$ACTION" in
    start) start ;;
    stop) stop ;;
    *) log "unknown action $ACTION"; exit 2 ;;
esac
