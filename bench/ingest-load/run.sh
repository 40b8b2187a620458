#!/usr/bin/env bash
# Builds ingest and runs the ingest load driver; prints a markdown table for docs/benchmarks.md.
# Usage: bench/ingest-load/run.sh [-Dbench.seconds=20 -Dbench.clients=16 -Dbench.sizes=1,100,1000]
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -B -q install -DskipTests -pl functions/ingest,bench/ingest-load -am
exec ./mvnw -B -q exec:java -pl bench/ingest-load -Dexec.workingdir="$PWD" "$@"
