#!/usr/bin/env bash
# Fuzzes each Jazzer target in vane-fuzz for a bounded time: `ci/fuzz.sh` (10 s each, as CI
# runs it), `ci/fuzz.sh 600` for a long run, `ci/fuzz.sh 60 JsonFuzzTest` for one target.
# Each test class forks its own JVM (Jazzer fuzzes one @FuzzTest per JVM). A crash fails the
# run, and Jazzer writes the input under fuzz/src/test/resources/.../<Class>Inputs/<method>/:
# commit it (it is replayed by every `mvn test` from then on) with the fix. Each fuzzer's
# statistics (inputs executed, cov, ft) go to build/fuzz/<Class>.log.
# VANE_FUZZ_MVN_ARGS adds Maven flags (e.g. "-o"); VANE_FUZZ_MODULES picks the reactor (default
# "-pl fuzz -am": the sibling modules are built too, so the fuzzers run this checkout's parsers).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${1:-10}
only=${2:-}
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "ci/fuzz.sh: expected a number of seconds per fuzzer, got '$seconds'" >&2; exit 2; }
source ci/find-jdk.sh >/dev/null
targets=$(cd fuzz/src/test/java && find . -name '*FuzzTest.java' | sed 's|^\./||; s|\.java$||; s|/|.|g' | sort)
[ -n "$only" ] && targets=$(printf '%s\n' $targets | grep -- "$only" || true)
[ -n "$targets" ] || { echo "ci/fuzz.sh: no fuzz test matches '$only'" >&2; exit 2; }
out=build/fuzz
mkdir -p "$out"
pattern=$(printf '%s\n' $targets | sed 's|.*\.||' | paste -sd, -)
echo "== fuzzing ${seconds}s each: $pattern"
status=0
# One Maven run; reuseForks=false gives each class a fresh JVM, so each one's first @FuzzTest is fuzzed.
# package, not test: the reactor attaches vane-native's classifier jar (a test dependency upstream) there.
# shellcheck disable=SC2086
JAZZER_FUZZ=1 mvn -B -ntp ${VANE_FUZZ_MVN_ARGS:-} ${VANE_FUZZ_MODULES:--pl fuzz -am} package -Dtest="$pattern" -Dsurefire.failIfNoSpecifiedTests=false \
  -DreuseForks=false -Djazzer.max_duration="${seconds}s" > "$out/mvn.log" 2>&1 || status=$?
# libFuzzer writes to the forked JVM's stderr, which Maven relays in order: cut the log per class.
for t in $targets; do
  report=$out/${t##*.}.log
  awk -v cls="$t" '/^\[INFO\] Running /{on = ($3 == cls)} on && !/^INFO: Instrumented/' "$out/mvn.log" > "$report"
  if [ -s "$report" ]; then
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$report" | tail -1 || true)
    runs=$(grep -E '^Done [0-9]+ runs' "$report" | tail -1 || true)
    echo "${t##*.}: ${done_line:-no DONE line} | ${runs:-no run count}"
  else
    echo "${t##*.}: no output (see $out/mvn.log)"
  fi
done
if [ "$status" != 0 ]; then
  grep -E 'FAIL|ERROR|crash-|Java Exception' "$out/mvn.log" | head -40 >&2 || true
  echo "ci/fuzz.sh: a fuzzer failed (exit $status); the crashing input is under fuzz/src/test/resources (git status shows it); log: $out/mvn.log" >&2
fi
exit "$status"
