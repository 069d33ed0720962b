#!/usr/bin/env bash
# Runs the spark-batch sample on a Spark standalone cluster on loopback, the way docs/SPARK.md
# ("Running on a cluster") says to run it on a real one: a master, a worker with 2 cores, each
# executor in its own JVM started by the worker, the job given by spark-submit with Vane's jars as
# --jars, one task per executor core. Twice: the model by path (shared storage) and shipped with
# --ship (SparkContext.addFile). Both outputs must equal the same job in local mode, row for row.
#
# Usage: samples/spark-batch/standalone-check.sh   (after mvn package or verify; about 2 minutes)
# The Spark home is Spark's jars from the local Maven repository (target/spark-classpath.txt,
# written by the sample's package step) linked into build/spark-standalone/spark-home/jars, with
# a RELEASE file: the layout of a Spark distribution, which the worker needs to launch executors.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
source ci/find-jdk.sh
# SPARK_SCALA_VERSION: what a distribution's load-spark-env.sh sets; the worker needs it to build executors' class path.
export JAVA_HOME SPARK_LOCAL_IP=127.0.0.1 SPARK_SCALA_VERSION=2.13

sample=samples/spark-batch
job_jar=$(ls $sample/target/vane-sample-spark-batch-*.jar 2>/dev/null | grep -v -- '-sources' | head -1 || true)
if [ -z "$job_jar" ] || [ ! -f $sample/target/spark-classpath.txt ]; then
  echo "standalone-check: $sample is not packaged; run mvn package (or verify) first" >&2
  exit 1
fi
embedded=$(ls embedded-model/target/vane-embedded-model-*.jar | grep -v -- '-sources' | head -1)

work=$root/build/spark-standalone
rm -rf "$work"
mkdir -p "$work/spark-home/jars" "$work/worker" "$work/models/shared"
export SPARK_HOME=$work/spark-home
tr ':' '\n' < $sample/target/spark-classpath.txt | while read -r j; do ln -s "$j" "$SPARK_HOME/jars/"; done
echo "Spark $(ls "$SPARK_HOME"/jars | sed -n 's/^spark-core_2.13-\(.*\)\.jar$/\1/p') (Maven jars)" > "$SPARK_HOME/RELEASE"

# The model on "shared storage" (a path every executor can read) and a copy for --ship.
unzip -p "$embedded" dev/vane/embedded/tiny-moe-kjv.gguf > "$work/models/shared/model.gguf"
cp "$work/models/shared/model.gguf" "$work/models/shipped.gguf"
phrases=("In the beginning" "And God said" "The LORD is my shepherd" "Blessed are the meek" "And it came to pass"
         "For God so loved" "Let there be light" "Thou shalt not" "Honour thy father" "The heavens declare")
for i in $(seq 0 23); do echo "${phrases[$((i % 10))]}, $i"; done > "$work/prompts.txt"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
spark_java() { "$JAVA_HOME/bin/java" -cp "$SPARK_HOME/jars/*" "$@"; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

spark_java org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" --webui-port 0 > "$work/master.log" 2>&1 &
pids+=($!)
for _ in $(seq 60); do grep -qs "I have been elected leader" "$work/master.log" && break; sleep 1; done
grep -q "I have been elected leader" "$work/master.log" || { cat "$work/master.log"; echo "standalone-check: the master did not start" >&2; exit 1; }
spark_java org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 2 --memory 4g --webui-port 0 \
  --work-dir "$work/worker" "spark://127.0.0.1:$port" > "$work/worker.log" 2>&1 &
pids+=($!)
for _ in $(seq 60); do grep -qs "Successfully registered with master" "$work/worker.log" && break; sleep 1; done
grep -q "Successfully registered with master" "$work/worker.log" || { cat "$work/worker.log"; echo "standalone-check: the worker did not register" >&2; exit 1; }

jars=$(ls $sample/target/lib/*.jar | paste -sd,)
# submit MASTER OUTPUT [job options]: spark-submit as docs/SPARK.md gives it, 1-core executors.
submit() {
  local master=$1 out=$2
  shift 2
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.SparkSubmit \
    --master "$master" --class dev.vane.samples.spark.SparkBatchGenerate --jars "$jars" \
    --executor-cores 1 --total-executor-cores 2 --conf spark.task.cpus=1 \
    --executor-memory 1g --conf spark.executor.memoryOverhead=512m \
    --conf spark.driver.host=127.0.0.1 \
    --conf spark.executor.extraJavaOptions=--enable-native-access=ALL-UNNAMED \
    "$job_jar" --input "$work/prompts.txt" --output "$out" --max-tokens 24 --batch-size 4 --partitions 4 --context-length 128 "$@"
}
rows() { cat "$1"/part-*.json | sort; }

echo "== local[2] (the reference)"
submit "local[2]" "$work/out-local.json" --model "$work/models/shared/model.gguf" > "$work/local.log" 2>&1 || { tail -40 "$work/local.log"; exit 1; }
grep "vane-spark-batch:" "$work/local.log"
status=0
for mode in path ship; do
  echo "== spark://127.0.0.1:$port, the model by $mode"
  if [ $mode = path ]; then model=(--model "$work/models/shared/model.gguf"); else model=(--model "$work/models/shipped.gguf" --ship); fi
  submit "spark://127.0.0.1:$port" "$work/out-$mode.json" "${model[@]}" > "$work/$mode.log" 2>&1 || { tail -40 "$work/$mode.log"; exit 1; }
  grep "vane-spark-batch:" "$work/$mode.log"
  app=$(grep -o 'app-[0-9]*-[0-9]*' "$work/$mode.log" | head -1)
  executors=$(ls -d "$work/worker/$app"/*/ 2>/dev/null | wc -l)
  echo "   application $app: $executors executor JVMs launched by the worker"
  if [ "$executors" -lt 2 ]; then echo "FAIL: expected 2 executors (2 cores, 1 a executor), found $executors"; status=1; fi
  if [ $mode = ship ]; then
    fetched=$(grep -l "files/shipped.gguf" "$work/worker/$app"/*/stderr 2>/dev/null | wc -l)
    echo "   $fetched of $executors executors fetched the shipped model"
    if [ "$fetched" -ne "$executors" ]; then echo "FAIL: every executor must fetch the shipped model"; status=1; fi
  fi
  if ! cmp -s <(rows "$work/out-local.json") <(rows "$work/out-$mode.json"); then
    echo "FAIL: the standalone output (model by $mode) differs from local mode:"
    diff <(rows "$work/out-local.json") <(rows "$work/out-$mode.json") | head -10
    status=1
  else
    echo "   $(rows "$work/out-$mode.json" | wc -l) rows, equal to local mode"
  fi
done
[ $status = 0 ] && echo "standalone-check: OK"
exit $status
