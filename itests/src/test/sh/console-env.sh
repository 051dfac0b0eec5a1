#!/bin/sh
# ConsoleIT's host needs: tmux (the console's terminal), ping and ip (the network step in a namespace).
set -e
log() { echo "console-env: $*" >&2; }
PACKAGES="tmux iputils-ping iproute2"
. "$(dirname "$0")/host.sh"
install_packages
