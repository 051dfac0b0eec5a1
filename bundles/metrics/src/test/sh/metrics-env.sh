#!/bin/sh
# Test setup of the metrics bundle: Debian's Prometheus client library, whose text-format parser the tests run on
# a real scrape (/usr/bin/python3, Debian's own interpreter, whatever python3 comes first on PATH).
set -eu
log() { echo "metrics-env: $*" >&2; }
PACKAGES="python3 python3-prometheus-client"
. "$(dirname "$0")/../../../../../itests/src/test/sh/host.sh"
install_packages
