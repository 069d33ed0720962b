#!/usr/bin/env bash
# libvane and its ctest suite under AddressSanitizer and UndefinedBehaviorSanitizer
# (docs/RELIABILITY.md, "Sanitizers"). Builds build/asan and runs every native test once with the
# default CPU dispatch; the forced-variant runs (VANE_CPU=baseline, avx2) belong to the normal build.
# Any report fails the run: ASan and UBSan halt on the first error.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=$(nproc 2>/dev/null || echo 2)
dir=${VANE_ASAN_DIR:-build/asan}

cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVANE_BUILD_TESTS=ON \
  -DVANE_SANITIZE=address,undefined >/dev/null
cmake --build "$dir" --parallel "$jobs"

# detect_leaks: the native tests free what they allocate, so a leak is a bug too.
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=0:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# The _baseline and _avx2 runs repeat the same code paths with lower variants forced; the normal
# build covers them. The ISA checks read object code and are not affected by the sanitizers.
# test_gemm_invariance (10 s in the normal build, many minutes under ASan: every format and
# variant, k up to 8448, ten batch sizes) runs the kernels test_gemm and test_ggml_gemm already run here.
start=$(date +%s)
ctest --test-dir "$dir" --output-on-failure --timeout 900 -j "$jobs" -E '_(baseline|avx2)$|isa_check|^test_gemm_invariance$'
echo "== sanitizers: ctest under ASan+UBSan took $(( $(date +%s) - start )) s"
