#!/bin/sh
# Installs what the web console's end-to-end test needs (run as root; idempotent): Debian's Chromium, which
# playwright-core drives (it cannot download a browser here), and unzip for the distribution.
set -eu
PACKAGES="chromium unzip"
log() { echo "e2e-env: $*" >&2; }
. "$(cd "$(dirname "$0")" && pwd)/../../itests/src/test/sh/host.sh"
install_packages
