#!/usr/bin/env bash
# Fuzzes libvane's entry points that take sizes and offsets from their caller, one libFuzzer
# harness per family (native/fuzz; docs/RELIABILITY.md, "Native fuzzing"): `ci/native-fuzz.sh`
# (10 s each, as CI runs it), `ci/native-fuzz.sh 600` for a long run, `ci/native-fuzz.sh 60
# fuzz_kv` for one harness. Builds build/native-fuzz with clang (-fsanitize=fuzzer,address,undefined;
# an existing build/native-fuzz is reused), writes the seeds (make_seeds: blocks vane_quant_quantize
# packed, block tables, logits, positions) into build/native-fuzz/corpus/<harness>, where the corpus
# grows from run to run, replays native/fuzz/regressions/<harness>/, then fuzzes. A crash, a
# sanitizer report or a broken contract fails the run and libFuzzer writes the input under
# build/native-fuzz/findings/: fix libvane and commit the input as native/fuzz/regressions/<harness>/NAME
# (ctest fuzz_replay_<harness> replays it in every native build from then on). Each harness's
# log (executions, cov, ft) is build/native-fuzz/<harness>.log.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${1:-10}
only=${2:-}
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "ci/native-fuzz.sh: expected a number of seconds per harness, got '$seconds'" >&2; exit 2; }
harnesses="fuzz_quant fuzz_gemm fuzz_kv fuzz_attention fuzz_moe fuzz_ffn fuzz_rope"
if [ -n "$only" ]; then
  harnesses=$(printf '%s\n' $harnesses | grep -x -- "$only" || true)
  [ -n "$harnesses" ] || { echo "ci/native-fuzz.sh: no harness named '$only'" >&2; exit 2; }
fi

# clang and libFuzzer's runtime: installed where we can (Debian, as root), as ci/test.sh does the build tools.
have_fuzzer() { compgen -G '/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a' >/dev/null; }
if ! command -v clang++ >/dev/null || ! have_fuzzer; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing clang and libclang-rt-14-dev (libFuzzer)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang libclang-rt-14-dev
  else
    echo "ci/native-fuzz.sh: needs clang++ and libFuzzer's runtime; install: clang libclang-rt-14-dev" >&2
    exit 1
  fi
fi

jobs=$(nproc 2>/dev/null || echo 2)
out=build/native-fuzz  # not build/fuzz: ci/fuzz.sh (Jazzer) writes its logs there
start=$(date +%s)
# -O1 and line tables only: half the compile time of -O2 -g (the build is most of a CI run),
# still symbolized reports. Clang warns about the GCC-only pragmas of the AVX-512 units: quieted.
cmake -S . -B "$out" -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_COMPILER=clang++ -DVANE_FUZZ=ON -DVANE_BUILD_TESTS=OFF \
  -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only -Wno-unknown-warning-option" >/dev/null
# shellcheck disable=SC2086
cmake --build "$out" --parallel "$jobs" --target make_seeds $harnesses
bins=$out/native/fuzz
"$bins/make_seeds" "$out/corpus"
echo "== native fuzz build and seeds took $(( $(date +%s) - start )) s"

export ASAN_OPTIONS=halt_on_error=1:abort_on_error=0:detect_leaks=1:strict_string_checks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
mkdir -p "$out/findings"
status=0
for h in $harnesses; do
  log=$out/$h.log
  # The committed regressions first: each runs once (-runs=0 over a directory runs its inputs).
  regressions=native/fuzz/regressions/$h
  if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
    if ! "$bins/$h" -runs=0 -timeout=10 "$regressions" > "$out/$h.replay.log" 2>&1; then
      echo "$h: a committed regression fails again (see $out/$h.replay.log)" >&2
      status=1
      continue
    fi
  fi
  if "$bins/$h" -max_total_time="$seconds" -max_len=16384 -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$out/findings/$h-" "$out/corpus/$h" > "$log" 2>&1; then
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)
    echo "$h: ${done_line:-no DONE line (see $log)}"
  else
    echo "$h: FAILED, input under $out/findings/ (see $log):" >&2
    grep -E 'ERROR|contract broken|runtime error|SUMMARY|Test unit written' "$log" | head -8 >&2 || true
    status=1
  fi
done
echo "== native fuzzing took $(( $(date +%s) - start )) s in all"
exit "$status"
