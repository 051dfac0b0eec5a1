#!/bin/sh
# ConsoleIT's host needs: tmux (the console's terminal), ping and ip (the network step in a namespace), an ssh
# client (F3 turns SSH on, and the test logs in).
set -e
log() { echo "console-env: $*" >&2; }
PACKAGES="tmux iputils-ping iproute2 openssh-client"
. "$(dirname "$0")/host.sh"
install_packages
