#!/bin/sh
# A private, single-chassis OVN for the network-ovn tests, everything in one directory (run as root):
#   ovn-env.sh start DIR [NB_TCP_PORT]   installs OVS/OVN if missing, then starts in DIR:
#       NB and SB ovsdb-servers (DIR/nb.sock, DIR/sb.sock; NB also on ptcp:NB_TCP_PORT:127.0.0.1 if given),
#       ovn-northd, the OVS ovsdb-server (DIR/db.sock), ovs-vswitchd, br-int (userspace "netdev" datapath:
#       there is no OVS kernel module here) and ovn-controller bound to this chassis.
#   ovn-env.sh stop DIR                  stops every daemon it started (by pid file) and removes DIR.
# DIR must be short: Unix socket paths have at most 107 bytes.
# libvirt runs ovs-vsctl on OVS's default socket: while running, /var/run/openvswitch/db.sock points
# into DIR (only if nothing else is there), and stop removes that link again.
set -eu

CMD=${1:?usage: ovn-env.sh start|stop DIR [NB_TCP_PORT]}
DIR=${2:?usage: ovn-env.sh start|stop DIR [NB_TCP_PORT]}
NB_TCP_PORT=${3:-}
PACKAGES="openvswitch-switch ovn-central ovn-host ethtool busybox-static"
DAEMONS="controller vswitchd ovs northd sb nb"
DEFAULT_SOCK=/var/run/openvswitch/db.sock
export OVS_RUNDIR="$DIR" OVS_LOGDIR="$DIR" OVS_DBDIR="$DIR" OVS_SYSCONFDIR="$DIR"
export OVN_RUNDIR="$DIR" OVN_LOGDIR="$DIR" OVN_DBDIR="$DIR" OVN_SYSCONFDIR="$DIR"

log() { echo "ovn-env: $*" >&2; }

# install_packages, free_port
. "$(cd "$(dirname "$0")" && pwd)/../../../../../itests/src/test/sh/host.sh"

# ovsdb-server for one database: $1 = short name, $2 = schema, rest = extra remotes
db_server() {
    name=$1 schema=$2
    shift 2
    ovsdb-tool create "$DIR/$name.db" "$schema"
    ovsdb-server --detach --no-chdir --pidfile="$DIR/$name.pid" --log-file="$DIR/$name.log" \
        --unixctl="$DIR/$name.ctl" --remote="punix:$DIR/$name.sock" "$@" "$DIR/$name.db"
}

vsctl() { ovs-vsctl --db="unix:$DIR/ovs.sock" --timeout=30 "$@"; }

start() {
    install_packages
    mkdir -p "$DIR"
    if [ -n "$NB_TCP_PORT" ]; then
        db_server nb /usr/share/ovn/ovn-nb.ovsschema --remote="ptcp:$NB_TCP_PORT:127.0.0.1"
    else
        db_server nb /usr/share/ovn/ovn-nb.ovsschema
    fi
    db_server sb /usr/share/ovn/ovn-sb.ovsschema
    ovn-northd --detach --no-chdir --pidfile="$DIR/northd.pid" --log-file="$DIR/northd.log" \
        --unixctl="$DIR/northd.ctl" --ovnnb-db="unix:$DIR/nb.sock" --ovnsb-db="unix:$DIR/sb.sock"
    db_server ovs /usr/share/openvswitch/vswitch.ovsschema
    vsctl --no-wait init
    ovs-vswitchd --detach --no-chdir --pidfile="$DIR/vswitchd.pid" --log-file="$DIR/vswitchd.log" \
        --unixctl="$DIR/vswitchd.ctl" "unix:$DIR/ovs.sock"
    vsctl set Open_vSwitch . external_ids:system-id=qx-test-chassis \
        "external_ids:ovn-remote=unix:$DIR/sb.sock" external_ids:ovn-encap-type=geneve \
        external_ids:ovn-encap-ip=127.0.0.1 external_ids:ovn-bridge-datapath-type=netdev \
        external_ids:ovn-bridge-mappings=physnet:br-phys
    vsctl -- --may-exist add-br br-int -- set Bridge br-int datapath_type=netdev fail-mode=secure \
        other-config:disable-in-band=true
    # the physical network VLAN networks' localnet ports lead to (nothing is plugged in beyond it)
    vsctl -- --may-exist add-br br-phys -- set Bridge br-phys datapath_type=netdev
    ovn-controller --detach --no-chdir --pidfile="$DIR/controller.pid" --log-file="$DIR/controller.log" \
        "unix:$DIR/ovs.sock"
    if [ ! -e "$DEFAULT_SOCK" ] && [ -L "$DEFAULT_SOCK" ]; then
        rm -f "$DEFAULT_SOCK"  # a dangling link an interrupted run left behind
    fi
    if [ ! -e "$DEFAULT_SOCK" ]; then
        mkdir -p "$(dirname "$DEFAULT_SOCK")"
        ln -s "$DIR/ovs.sock" "$DEFAULT_SOCK"
    else
        log "$DEFAULT_SOCK belongs to another OVS: libvirt will plug guests there, not into this one"
    fi
    i=0
    until ovn-sbctl --db="unix:$DIR/sb.sock" --columns=name --bare find Chassis name=qx-test-chassis | grep -q .; do
        i=$((i + 1))
        [ $i -le 100 ] || { log "ovn-controller did not register its chassis within 20 s"; exit 1; }
        sleep 0.2
    done
    log "ready: $DIR"
}

stop() {
    [ "$(readlink "$DEFAULT_SOCK" 2>/dev/null || true)" = "$DIR/ovs.sock" ] && rm -f "$DEFAULT_SOCK"
    for d in $DAEMONS; do
        pidfile="$DIR/$d.pid"
        [ -f "$pidfile" ] || continue
        pid=$(cat "$pidfile")
        kill "$pid" 2>/dev/null || true
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        kill -9 "$pid" 2>/dev/null || true
    done
    # the netdev bridges leave tap devices named after them on the host
    for b in br-int br-phys; do
        ip link show "$b" >/dev/null 2>&1 && ip link delete "$b" 2>/dev/null || true
    done
    rm -rf "$DIR"
}

case "$CMD" in
    start) start ;;
    stop) stop ;;
    *) log "unknown command $CMD"; exit 2 ;;
esac
