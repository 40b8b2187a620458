#!/usr/bin/env bash
# Builds monitor and runs its load driver; prints rows for docs/benchmarks.md.
# Usage: bench/monitor-load/run.sh [-Dbench.seconds=20 -Dbench.warmup=40 -Dbench.clients=8]
# -Dbench.monitor.jvm="..." replaces monitor's JVM options (default: -Xmx512m -XX:+UseParallelGC).
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -B -q install -DskipTests -pl functions/monitor,bench/monitor-load -am
exec ./mvnw -B -q exec:java -pl bench/monitor-load "$@"
