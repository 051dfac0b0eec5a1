#!/bin/sh
# A real iSCSI target for the iscsi backend's integration tests, on 127.0.0.1 only (run as root; idempotent).
#   tgt-env.sh start DIR IQN USER  installs tgt + libiscsi-bin if missing, starts its own tgtd (own control port,
#                                  portal 127.0.0.1 on a free port) with target IQN: two file-backed LUNs in DIR
#                                  (64 MiB, 32 MiB), CHAP user USER whose password is read from DIR/chap-secret
#                                  (0600), initiators from 127.0.0.1 only. Prints the portal port.
#   tgt-env.sh stop DIR            deletes that tgtd's targets and stops it (tgtd ignores kill while it has targets).
set -eu

ACTION=${1:?usage: tgt-env.sh start DIR IQN USER | stop DIR}
DIR=${2:?usage: tgt-env.sh start DIR IQN USER | stop DIR}
# qemu-block-extra: QEMU's iscsi:// driver (libiscsi; a Recommends of QEMU, which libvirt-env.sh leaves out)
PACKAGES="tgt libiscsi-bin qemu-block-extra"

log() { echo "tgt-env: $*" >&2; }

# install_packages, free_port
. "$(cd "$(dirname "$0")" && pwd)/../../../../../itests/src/test/sh/host.sh"

# tgtd's management socket is /var/run/tgtd/socket.N for control port N: take one no tgtd uses
free_control() {
    n=100
    while [ -e "/var/run/tgtd/socket.$n" ]; do n=$((n + 1)); done
    echo $n
}

start() {
    iqn=${3:?target IQN}
    user=${4:?CHAP user}
    install_packages
    [ -s "$DIR/chap-secret" ] || { log "$DIR/chap-secret is missing"; exit 1; }
    port=$(free_port)
    control=$(free_control)
    echo "$control" > "$DIR/tgtd.control"
    truncate -s 64M "$DIR/lun1.img"
    truncate -s 32M "$DIR/lun2.img"
    log "starting tgtd (control $control) on 127.0.0.1:$port"
    tgtd -C "$control" --iscsi "portal=127.0.0.1:$port"
    adm() { tgtadm -C "$control" --lld iscsi "$@"; }
    i=0
    until adm --op show --mode system >/dev/null 2>&1; do
        i=$((i + 1))
        [ $i -le 40 ] || { log "tgtd did not answer"; exit 1; }
        sleep 0.25
    done
    adm --op new --mode target --tid 1 -T "$iqn"
    adm --op new --mode logicalunit --tid 1 --lun 1 -b "$DIR/lun1.img"
    adm --op new --mode logicalunit --tid 1 --lun 2 -b "$DIR/lun2.img"
    adm --op new --mode account --user "$user" --password "$(cat "$DIR/chap-secret")"
    adm --op bind --mode account --tid 1 --user "$user"
    adm --op bind --mode target --tid 1 -I 127.0.0.1
    echo "$port"
}

stop() {
    [ -s "$DIR/tgtd.control" ] || return 0
    control=$(cat "$DIR/tgtd.control")
    # tgtd refuses to stop while it has targets: remove them first, even with sessions open
    for tid in $(tgtadm -C "$control" --lld iscsi --op show --mode target 2>/dev/null | sed -n 's/^Target \([0-9]*\):.*/\1/p'); do
        tgtadm -C "$control" --lld iscsi --op delete --mode target --tid "$tid" --force || true
    done
    tgtadm -C "$control" --op delete --mode system >/dev/null 2>&1 || true
    rm -f "$DIR/tgtd.control"
}

case "$ACTION" in
    start) start "$@" ;;
    stop) stop ;;
    *) log "unknown action $ACTION"; exit 2 ;;
esac
