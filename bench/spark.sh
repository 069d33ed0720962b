#!/usr/bin/env bash
# Rows per second of a generation job in Spark local mode: VaneGenerator batching each
# partition, the same job one sequence at a time, and a plain Java loop over Session, on the
# ≈0.5B Llama in Q4_0 (written to build/model-cache on first use). docs/BENCHMARKS.md has the
# numbers. Usage: bench/spark.sh [--threads=2] [--rows=64] [--max-tokens=32] [--batch-size=16] [--runs=3] [--model=FILE]
# The bench is a main class in vane-spark's test sources (SparkBench), run on that module's test
# class path so that Spark stays out of bench/'s dependencies.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source ci/find-jdk.sh
offline=${VANE_MVN_OFFLINE:--o}
mvn -B -ntp -q $offline test-compile -pl spark
mvn -B -ntp -q $offline dependency:build-classpath -pl spark -Dmdep.includeScope=test -Dmdep.outputFile="$root/spark/target/bench-classpath.txt"
cp="spark/target/test-classes:spark/target/classes:$(cat spark/target/bench-classpath.txt)"
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xmx8g -Dlog4j2.configurationFile=spark/src/test/resources/log4j2.properties \
  -cp "$cp" dev.vane.spark.SparkBench "$@"
