#!/usr/bin/env bash
# Builds the functions and the local stack, then runs the loop-latency harness; prints the rows
# for docs/benchmarks.md. Usage: bench/loop-latency/run.sh [-Dbench.minutes=180 -Dbench.warmup=20]
# [-Dbench.tracing=true: every function exports its spans to an OTLP receiver in the harness, and the
# report adds each function's span durations by service, name and kind]
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -B -q install -DskipTests -pl bench/loop-latency -am
exec ./mvnw -B -q exec:java -pl bench/loop-latency "$@"
