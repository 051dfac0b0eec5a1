#!/usr/bin/env bash
# OVN driver at scale, on a private OVN (the tests' ovn-env.sh, in a temp dir, stopped at the end): time to create
# a network with PORTS ports and a security group of RULES rules, and the Northbound transactions it took.
# Prints figures; asserts nothing. Run as root after building network-ovn (mvn ... install -pl bundles/network-ovn -am).
#   benchmarks/ovn-scale.sh [ports=100] [rules=50]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MODULE="$ROOT/bundles/network-ovn"
PORTS=${1:-100}
RULES=${2:-50}
REPO=${MAVEN_REPO_LOCAL:+-Dmaven.repo.local=$MAVEN_REPO_LOCAL}
[ -d "$MODULE/target/test-classes" ] || { echo "build first: mvn install -pl bundles/network-ovn -am" >&2; exit 1; }

DIR=$(mktemp -d /tmp/qxbench.XXXX)
trap 'sh "$MODULE/src/test/sh/ovn-env.sh" stop "$DIR" >/dev/null 2>&1' EXIT
sh "$MODULE/src/test/sh/ovn-env.sh" start "$DIR" > "$DIR.log" 2>&1 || { cat "$DIR.log" >&2; exit 1; }
CP_FILE="$DIR/classpath"
# shellcheck disable=SC2086
mvn -B -ntp -q $REPO -f "$ROOT/pom.xml" -pl bundles/network-ovn dependency:build-classpath -Dmdep.outputFile="$CP_FILE" >/dev/null
java -cp "$MODULE/target/classes:$MODULE/target/test-classes:$(cat "$CP_FILE")" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  io.quantix.network.ovn.internal.OvnScale "unix:$DIR/nb.sock" "$PORTS" "$RULES"
rm -f "$DIR.log"
