#!/bin/sh
# ConsoleIT's host needs: tmux (the console's terminal), ping and ip (the network step in a namespace),
# openssh-client and sshpass (for the SSH toggle once the node has an SSH server).
set -e
log() { echo "console-env: $*" >&2; }
PACKAGES="tmux iputils-ping iproute2 openssh-client sshpass"
. "$(dirname "$0")/host.sh"
install_packages
