#!/usr/bin/env bash
# Scheduler figures (issue 14, "Measure"): one placement over 1,000 nodes (p50/p99; target <= 1 ms p99) and one
# DRS plan for 10,000 VMs on 1,000 nodes (target <= 1 s), under JMH. Prints figures; asserts nothing.
#   benchmarks/scheduler.sh [maxMoves=8]
# Installs quantix-scheduler (and what it needs) first, then builds benchmarks/scheduler against that jar.
# M2=<dir> uses that local Maven repository.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MOVES=${1:-8}
MVN=(mvn -B -ntp -q ${M2:+-Dmaven.repo.local=$M2})
(cd "$ROOT" && "${MVN[@]}" install -DskipTests -pl bundles/scheduler -am)
cd "$ROOT/benchmarks/scheduler"
"${MVN[@]}" compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
java -cp "target/classes:$(cat target/classpath.txt)" io.quantix.benchmarks.scheduler.SchedulerBench "$MOVES"
