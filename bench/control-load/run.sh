#!/usr/bin/env bash
# Builds control and runs its load driver; prints rows for docs/benchmarks.md.
# Usage: bench/control-load/run.sh [-Dbench.seconds=20 -Dbench.warmup=40 -Dbench.clients=8 -Dbench.cases=hold,act]
# -Dbench.control.jvm="..." replaces control's JVM options (default: -Xmx512m -XX:+UseParallelGC).
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -B -q install -DskipTests -pl functions/control,bench/control-load -am
exec ./mvnw -B -q exec:java -pl bench/control-load "$@"
