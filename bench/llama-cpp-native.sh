#!/usr/bin/env bash
# Builds the newest llama.cpp reachable here for the CPU it runs on: the git bundle of llama.cpp
# that npm's node-llama-cpp (pinned) carries, with every ggml instruction-set option this CPU's
# /proc/cpuinfo flags allow switched on by name (AVX2, FMA, F16C, AVX512, AVX512_VNNI, AVX512_BF16,
# ...), which selects the kernels a build for this CPU gets, without a compiler-chosen target.
# This is the benchmark peer, never shipped. Only libllama and its ggml libraries are built. Writes build/llama-cpp-native/{lib/libllama.so, include/, llama_ref}
# (llama_ref compiled against this release's headers, tools/llama-ref) and prints llama_ref's path.
# Takes 10-20 minutes on 2 cores the first time; idempotent after.
#   bench/llama-cpp-native.sh            build (if needed), print the llama_ref path
#   build/llama-cpp-native/llama_ref bench --lib build/llama-cpp-native/lib/libllama.so --model F ...
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/build/llama-cpp-native"
jobs=${JOBS:-$(nproc)}
"$root/ci/fetch-llama-cpp-source.sh"   # the source tree, into $dest/src
# ggml's option for each CPU flag it has kernels for.
isa_options=() isa_names=()
flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
for pair in sse4_2:SSE42 avx:AVX avx_vnni:AVX_VNNI avx2:AVX2 bmi2:BMI2 fma:FMA f16c:F16C avx512f:AVX512 \
    avx512vbmi:AVX512_VBMI avx512_vnni:AVX512_VNNI avx512_bf16:AVX512_BF16 amx_tile:AMX_TILE amx_int8:AMX_INT8 amx_bf16:AMX_BF16; do
  on=OFF
  case "$flags" in *" ${pair%%:*} "*) on=ON; isa_names+=("${pair#*:}");; esac
  isa_options+=("-DGGML_${pair#*:}=$on")
done
if [ ! -s "$dest/lib/libllama.so" ]; then
  cmake -S "$dest/src" -B "$dest/cmake" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON \
    -DGGML_NATIVE=OFF "${isa_options[@]}" -DGGML_OPENMP=ON -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
    -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_COMMON=OFF >&2
  cmake --build "$dest/cmake" -j"$jobs" --target llama >&2
  rm -rf "$dest/lib.tmp" && mkdir -p "$dest/lib.tmp"
  find "$dest/cmake" -name "lib*.so*" -exec cp -a {} "$dest/lib.tmp/" \;
  rm -rf "$dest/lib" && mv "$dest/lib.tmp" "$dest/lib"
fi
git -C "$dest/src" log -1 --format="llama.cpp $(git -C "$dest/src" describe --tags 2>/dev/null || echo v0.5.0) (%h, %cs), built for this CPU: ${isa_names[*]}" > "$dest/VERSION"
mkdir -p "$dest/include"
cp "$dest/src/include/"*.h "$dest/src/ggml/include/"*.h "$dest/include/"
"$root/tools/llama-ref/build.sh" "$dest" >&2
echo "$dest/llama_ref"
