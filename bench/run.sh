#!/usr/bin/env bash
# Runs the JMH benchmarks: bench/run.sh [JMH options], e.g. bench/run.sh QuantBench -p format=Q4_0
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/ci/find-jdk.sh"
if ! ls "$root"/bench/target/vane-bench-*.jar "$root"/bench/target/lib/vane-tools-*.jar >/dev/null 2>&1; then
  (cd "$root" && mvn -B -q package -DskipTests)
fi
cp="$(ls "$root"/bench/target/vane-bench-*.jar | head -1):$root/bench/target/lib/*"
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$cp" org.openjdk.jmh.Main "$@"
