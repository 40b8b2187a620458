#!/usr/bin/env bash
# Builds preprocess and runs its load driver; prints rows for docs/benchmarks.md.
# Usage: bench/preprocess-load/run.sh [-Dbench.seconds=20 -Dbench.clients=8 -Dbench.archive.events=20000]
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -B -q install -DskipTests -pl functions/preprocess,bench/preprocess-load -am
exec ./mvnw -B -q exec:java -pl bench/preprocess-load "$@"
