#!/bin/sh
# A throw-away one-node Ceph cluster for the RBD tests and benchmarks (run as root):
#   ceph-env.sh start DIR [OWNER_PID]   installs Ceph, QEMU's RBD driver and libvirt's RBD storage driver if
#       missing, starts 1 mon + 1 mgr + 1 bluestore-on-file OSD with everything below DIR (a fresh, empty
#       directory), the monitor on 127.0.0.1 only and on a free port, waits for HEALTH_OK, creates the
#       RBD pool "rbd" and a cephx user "client.quantix" limited to it, and writes DIR/cluster.env:
#           monitors=127.0.0.1:PORT  rbdPool=rbd  user=quantix  keyring=DIR/ceph.client.quantix.keyring
#           conf=DIR/ceph.conf (the admin's view, for tests that check behind the backend's back)
#   ceph-env.sh stop DIR                stops the daemons by their pid files and removes DIR.
# OWNER_PID (default: the caller) is the process the cluster is for: a later start removes the clusters of
# owners that are gone (a run that was killed), never one whose owner still runs.
set -eu

PACKAGES="ceph-mon ceph-mgr ceph-osd ceph-common qemu-block-extra qemu-utils libvirt-daemon-driver-storage-rbd"
# Marks a directory as one of these clusters, so cleaning up never touches anything else.
STAMP=qx-ceph-cluster
RBD_POOL=rbd
USER=quantix

log() { echo "ceph-env: $*" >&2; }

# install_packages, free_port
. "$(cd "$(dirname "$0")" && pwd)/../../../../../itests/src/test/sh/host.sh"

# Stops the daemons of the cluster in $1 (OSD first, monitor last) and removes the directory.
stop_cluster() {
    dir=$1
    [ -f "$dir/$STAMP" ] || { log "$dir is not a test cluster: left alone"; return 0; }
    for daemon in osd.0 mgr.x mon.a; do
        pidfile="$dir/run/ceph-$daemon.pid"
        [ -f "$pidfile" ] || continue
        pid=$(cat "$pidfile")
        # only a Ceph daemon started with this cluster's configuration: a reused pid is someone else's
        if [ -n "$pid" ] && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "-c $dir/ceph.conf"; then
            kill "$pid" 2>/dev/null || true
            i=0
            while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
            kill -9 "$pid" 2>/dev/null || true
        fi
    done
    rm -rf "$dir"
    log "stopped and removed $dir"
}

# Clusters of earlier runs whose owner is gone (killed before it could stop them).
remove_orphans() {
    for stamp in "${TMPDIR:-/tmp}"/*/"$STAMP"; do
        [ -f "$stamp" ] || continue
        owner=$(cat "$stamp")
        if [ -n "$owner" ] && kill -0 "$owner" 2>/dev/null; then
            continue
        fi
        log "removing the cluster of a run that is gone: $(dirname "$stamp")"
        stop_cluster "$(dirname "$stamp")"
    done
}

# Runs "$@" every 0.2 s until it succeeds; fails after $1 seconds naming $2.
wait_for() {
    limit=$1 what=$2
    shift 2
    i=0
    until "$@" >/dev/null 2>&1; do
        i=$((i + 1))
        [ $i -le $((limit * 5)) ] || { log "$what: not within $limit s"; ceph_admin health detail >&2 || true; exit 1; }
        sleep 0.2
    done
    log "$what after $(($(date +%s) - STARTED)) s"
}

ceph_admin() { ceph -c "$C/ceph.conf" --connect-timeout 10 "$@"; }
osd_up() { ceph_admin osd stat | grep -q "1 up"; }
health_ok() { ceph_admin health | grep -q '^HEALTH_OK'; }

start_cluster() {
    C=$1
    owner=$2
    STARTED=$(date +%s)
    [ -d "$C" ] && [ -z "$(ls -A "$C")" ] || { log "$C must be an existing, empty directory"; exit 1; }
    C=$(cd "$C" && pwd)
    mkdir -p "$C/mon" "$C/mgr/ceph-x" "$C/osd" "$C/run" "$C/log"
    echo "$owner" > "$C/$STAMP"
    port=$(free_port)
    fsid=$(cat /proc/sys/kernel/random/uuid)
    # msgr2 only, on loopback only: clients given a monitor as ip:port speak msgr2 to any port but 6789.
    cat > "$C/ceph.conf" <<EOF
[global]
fsid = $fsid
mon_host = [v2:127.0.0.1:$port]
public_network = 127.0.0.0/8
ms_bind_ipv6 = false
run_dir = $C/run
admin_socket = $C/run/\$cluster-\$name.asok
pid_file = $C/run/\$cluster-\$name.pid
log_file = $C/log/\$cluster-\$name.log
mon_data = $C/mon/\$cluster-\$id
mgr_data = $C/mgr/\$cluster-\$id
osd_data = $C/osd/\$cluster-\$id
osd_pool_default_size = 1
osd_pool_default_min_size = 1
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
osd_crush_chooseleaf_type = 0
mon_data_avail_warn = 5
auth_allow_insecure_global_id_reclaim = false
[client]
# the daemons keep their keyrings in their data directories (Ceph's default); clients find theirs here
keyring = $C/\$cluster.\$name.keyring
[osd]
osd_objectstore = bluestore
# the block file lives beside the OSD's directory, not in it (ceph-osd --mkfs wants that directory to itself)
bluestore_block_path = $C/osd/\$cluster-\$id.block
bluestore_block_create = true
# sparse: takes only what is written, yet big enough for the 10 GiB volumes of the benchmark
bluestore_block_size = 17179869184
bluestore_fsck_on_mkfs = false
osd_memory_target = 1073741824
EOF
    daemon_args="-c $C/ceph.conf --setuser root --setgroup root"
    cd "$C"
    ceph-authtool --create-keyring mon.keyring --gen-key -n mon. --cap mon 'allow *' >/dev/null
    ceph-authtool --create-keyring ceph.client.admin.keyring --gen-key -n client.admin \
        --cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' --cap mgr 'allow *' >/dev/null
    ceph-authtool mon.keyring --import-keyring ceph.client.admin.keyring >/dev/null
    monmaptool --create --addv a "[v2:127.0.0.1:$port]" --fsid "$fsid" monmap >/dev/null
    # shellcheck disable=SC2086
    ceph-mon --mkfs -i a --monmap monmap --keyring mon.keyring $daemon_args
    # shellcheck disable=SC2086
    ceph-mon -i a $daemon_args
    wait_for 30 "monitor up on 127.0.0.1:$port" ceph_admin mon stat
    ceph_admin auth get-or-create mgr.x mon 'allow profile mgr' osd 'allow *' mds 'allow *' > mgr/ceph-x/keyring
    # shellcheck disable=SC2086
    ceph-mgr -i x $daemon_args
    osd_uuid=$(cat /proc/sys/kernel/random/uuid)
    id=$(ceph_admin osd new "$osd_uuid")
    mkdir -p "osd/ceph-$id"
    ceph-authtool --create-keyring "osd/ceph-$id/keyring" --gen-key -n "osd.$id" >/dev/null
    ceph_admin auth add "osd.$id" osd 'allow *' mon 'allow profile osd' mgr 'allow profile osd' -i "osd/ceph-$id/keyring" 2>/dev/null
    # shellcheck disable=SC2086
    ceph-osd -i "$id" --mkfs --osd-uuid "$osd_uuid" $daemon_args > log/osd-mkfs.log 2>&1
    # shellcheck disable=SC2086
    ceph-osd -i "$id" $daemon_args
    wait_for 60 "OSD up" osd_up
    ceph_admin osd pool create "$RBD_POOL" 8 8 >/dev/null 2>&1
    ceph_admin osd pool set "$RBD_POOL" size 1 --yes-i-really-mean-it >/dev/null 2>&1
    rbd -c "$C/ceph.conf" pool init "$RBD_POOL"
    # what a Quantix node is given: a key that can use RBD images in this pool, nothing more
    ceph_admin auth get-or-create "client.$USER" mon 'profile rbd' osd "profile rbd pool=$RBD_POOL" \
        mgr "profile rbd pool=$RBD_POOL" > "ceph.client.$USER.keyring"
    chmod 600 "ceph.client.$USER.keyring"
    wait_for 120 "HEALTH_OK" health_ok
    cat > cluster.env <<EOF
monitors=127.0.0.1:$port
rbdPool=$RBD_POOL
user=$USER
keyring=$C/ceph.client.$USER.keyring
conf=$C/ceph.conf
EOF
    log "ready: $C/cluster.env"
}

case "${1:-}" in
start)
    [ -n "${2:-}" ] || { echo "usage: ceph-env.sh start DIR [OWNER_PID]" >&2; exit 2; }
    install_packages
    remove_orphans
    start_cluster "$2" "${3:-$PPID}"
    ;;
stop)
    stop_cluster "${2:?usage: ceph-env.sh stop DIR}"
    ;;
*)
    echo "usage: ceph-env.sh start DIR [OWNER_PID] | stop DIR" >&2
    exit 2
    ;;
esac
