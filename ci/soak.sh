#!/usr/bin/env bash
# The concurrency and memory soak (docs/RELIABILITY.md, "Soak"): `vane bench soak` on the embedded
# model: 4 threads generating with cancellations and closes at random moments, every result checked
# against its single-threaded run, Vane's native memory and the RSS flat, and last the model closed
# while generations run. Exit status 0 if all held.
#   ci/soak.sh [SECONDS] [vane bench soak options, e.g. --model=FILE --threads=8]
# SECONDS is the main phase (default 600, the long run, which must reach 10^5 calls); a warm-up of
# SECONDS/10 s (10 to 60), the model's load and the close phase come on top (ci/test.sh runs 30: ~50 s).
# VANE_SOAK_BUILD=0 skips the build (ci/test.sh: mvn verify has just packaged bench/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source ci/find-jdk.sh
seconds=${1:-600}
shift || true
case "$seconds" in
  ''|*[!0-9]*) echo "ci/soak.sh: SECONDS must be a whole number of seconds, got '$seconds'" >&2; exit 2 ;;
esac
min_calls=0
if [ "$seconds" -ge 600 ]; then min_calls=100000; fi
if [ "${VANE_SOAK_BUILD:-1}" != 0 ]; then
  mvn -B -ntp -q package -DskipTests -pl bench -am
fi
jar=$(ls bench/target/vane-bench-*.jar 2>/dev/null | grep -v -- '-sources' | head -1)
if [ -z "$jar" ]; then echo "ci/soak.sh: no bench/target/vane-bench-*.jar (build it: mvn package -DskipTests -pl bench -am)" >&2; exit 1; fi
# glibc gives each thread that mallocs its own arena (up to 8 per core) and keeps what is freed in
# it: on a loaded host RSS then grew 92 MiB in 60 s with the JVM's tracked memory flat (NMT) and
# Vane's counters at zero, and failed the bound; with 2 arenas it grew 4 MiB. A leak still shows.
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
# A fixed, pre-touched heap: the Java heap is resident from the start, so RSS growth is native memory.
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xms384m -Xmx384m -XX:+AlwaysPreTouch \
  -cp "$jar:bench/target/lib/*" dev.vane.bench.BenchCli soak --seconds="$seconds" --min-calls="$min_calls" "$@"
