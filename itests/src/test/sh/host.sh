# Sourced by the test setup scripts of the modules (src/test/sh/*-env.sh): what each needs of the test host.
# Expects PACKAGES (Debian package names) and a log() function from the sourcing script.

# Installs what PACKAGES names and the host lacks. Service starts are forbidden during the install: the tests run
# their own daemons in temp dirs, and a package's init script would start a system-wide one on the default sockets
# (an existing policy-rc.d is left as it is).
install_packages() {
    missing=""
    for p in $PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    log "installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        policy=/usr/sbin/policy-rc.d
        printf '#!/bin/sh\nexit 101\n' > "$policy"
        chmod 755 "$policy"
    fi
    apt-get update -qq
    # Recommends would pull in dnsmasq, firewall tools and more that the tests never use.
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null || { [ -z "$policy" ] || rm -f "$policy"; exit 1; }
    [ -z "$policy" ] || rm -f "$policy"
}

# A TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
