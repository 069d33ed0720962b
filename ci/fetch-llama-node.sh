#!/usr/bin/env bash
# Fetches npm's @fugood/llama.node (its JavaScript API) and @fugood/node-llama-linux-x64 (the
# prebuilt llama.cpp of August 2026 it loads), pinned, and lays them out as
# build/llama-node/node_modules/@fugood/... so that node can require the package: the Jinja chat
# template tests (vane-jinja) render prompts with its getFormattedChat. npm checks each tarball
# against the registry's integrity hash; nothing is installed and no package script runs.
# Idempotent. Prints the folder.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/build/llama-node"
version=1.7.15
api="$dest/node_modules/@fugood/llama.node" bin="$dest/node_modules/@fugood/node-llama-linux-x64"
if [ ! -s "$api/lib/index.js" ] || [ ! -s "$bin/index.node" ]; then
  command -v npm >/dev/null || { echo "ci/fetch-llama-node.sh: npm is needed to fetch @fugood/llama.node@$version" >&2; exit 1; }
  mkdir -p "$dest"
  work=$(mktemp -d "$dest/.fetch.XXXXXX")
  (cd "$work" && npm pack --silent "@fugood/node-llama-linux-x64@$version" "@fugood/llama.node@$version" >/dev/null)
  rm -rf "$api" "$bin"
  mkdir -p "$api" "$bin"
  tar -xzf "$work/fugood-node-llama-linux-x64-$version.tgz" -C "$bin" --strip-components=1
  tar -xzf "$work/fugood-llama.node-$version.tgz" -C "$api" --strip-components=1
  rm -rf "$work"
fi
echo "$dest"
