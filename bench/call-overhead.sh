#!/usr/bin/env bash
# The cost of crossing into native code: the same tiny vane_gemm (W [16, 64], M = 1) timed from C
# (bench/native/call_overhead.cpp) and from Java through FFM (CallOverheadJmh: the raw downcall
# and QuantizedMatrix.multiply), one after the other on this machine.
#   bench/call-overhead.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cmake -S "$root" -B "$root/build/bench" -DCMAKE_BUILD_TYPE=Release -DVANE_BUILD_BENCH=ON >/dev/null
cmake --build "$root/build/bench" -j2 --target call_overhead >/dev/null
"$root/build/bench/native/call_overhead"
echo
"$root/bench/run.sh" CallOverheadJmh -rf text -rff /dev/null 2>&1 | sed -n '/^Benchmark/,$p'
