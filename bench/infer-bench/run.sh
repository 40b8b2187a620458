#!/usr/bin/env bash
# infer's benchmarks; figures go to docs/benchmarks.md.
#   bench/infer-bench/run.sh jmh   JMH: raw ONNX Runtime against the HTTP and event handlers (about 10 min)
#   bench/infer-bench/run.sh load  the packaged app: cold start, fixed-rate latency, batched throughput
# Extra arguments go to JMH (jmh) or to the JVM as -D options (load).
set -euo pipefail
cd "$(dirname "$0")/../.."
what="${1:-jmh}"; shift || true
./mvnw -B -q install -DskipTests -pl functions/infer,bench/infer-bench -am
./mvnw -B -q dependency:build-classpath -pl bench/infer-bench -Dmdep.outputFile=target/classpath.txt
# ONNX Runtime's Java binding (1.29.0) crashes the JVM while creating its environment when the
# process command line is longer than about 4 KiB: keep the classpath out of it.
export CLASSPATH="bench/infer-bench/target/classes:$(cat bench/infer-bench/target/classpath.txt)"
model=bench/infer-bench/target/bench-model.onnx
python=$(java dev.greenloop.bench.infer.TrainerPython | tail -1)
[ -f "$model" ] || PYTHONPATH=trainer "$python" bench/infer-bench/src/main/python/make_model.py "$model"
case "$what" in
  jmh)
    # One run for both batch sizes of raw and http, one for the event handler (a window is one vector).
    java -Djmh.separateClasspathJAR=true org.openjdk.jmh.Main 'InferBenchmark\.(raw|http)' -rf json \
      -rff bench/infer-bench/target/jmh-batch.json "$@"
    java -Djmh.separateClasspathJAR=true org.openjdk.jmh.Main 'InferBenchmark\.event' -p rows=1 -rf json \
      -rff bench/infer-bench/target/jmh-event.json "$@" ;;
  load)
    java "$@" -Dgreenloop.testkit.dir=bench/infer-bench/target/testkit dev.greenloop.bench.infer.InferLoad ;;
  *) echo "usage: $0 jmh|load [args]" >&2; exit 2 ;;
esac
