#!/usr/bin/env bash
# Builds tools/llama-ref/llama_ref*.c into DEST/llama_ref (DEST: the folder holding llama.cpp's
# index.node and include/, by default build/llama-cpp; ci/fetch-llama-cpp.sh passes it).
# Compiles only when the binary is missing or older than its source, this script or llama.h.
# Prints the binary's path.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dest=${1:-"$root/build/llama-cpp"}
srcs=("$here"/llama_ref*.c)
out="$dest/llama_ref"
inc="$dest/include"
[ -s "$inc/llama.h" ] || { echo "tools/llama-ref/build.sh: no $inc/llama.h: run ci/fetch-llama-cpp.sh" >&2; exit 1; }
stale=0
[ -x "$out" ] || stale=1
for f in "${srcs[@]}" "$here/llama_ref.h" "$here/build.sh" "$inc/llama.h"; do
  if [ "$f" -nt "$out" ]; then stale=1; fi
done
if [ "$stale" = 1 ]; then
  cc=${CC:-gcc}
  command -v "$cc" >/dev/null || { echo "tools/llama-ref/build.sh: needs a C compiler ($cc; set CC)" >&2; exit 1; }
  tmp="$out.tmp.$$"
  trap 'rm -f "$tmp"' EXIT
  "$cc" -std=c11 -O2 -Wall -Wextra -I"$inc" -o "$tmp" "${srcs[@]}" -ldl -lm -pthread
  mv -f "$tmp" "$out"
  echo "built $out" >&2
fi
echo "$out"
