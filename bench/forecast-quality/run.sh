#!/usr/bin/env bash
# Forecast quality on simulated days: writes the feature tables (SimulatedDataset), then judges the
# trainer's models on the held-out test days (evaluate.py), in the trainer's CPU environment
# (made once under target/venv from trainer/requirements-cpu.txt and constraints.txt).
# Usage: bench/forecast-quality/run.sh [-Dbench.days=6 -Dbench.weather=local/weather/sample.csv ...]
#        [-- --search-seconds 300]
set -euo pipefail
cd "$(dirname "$0")/../.."
maven=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do maven+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
out=bench/forecast-quality/target/tables
rm -rf "$out"
./mvnw -B -q install -DskipTests -pl bench/forecast-quality -am
./mvnw -B -q exec:java -pl bench/forecast-quality -Dbench.out="$PWD/$out" "${maven[@]}"
venv=bench/forecast-quality/target/venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r trainer/requirements-cpu.txt -c trainer/constraints.txt
fi
exec "$venv/bin/python" bench/forecast-quality/evaluate.py "$out" "$@"
