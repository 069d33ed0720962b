#!/usr/bin/env bash
# llama.cpp's source tree, tag v0.5.0 (2026-09-28): the git bundle that npm's node-llama-cpp
# (pinned) carries, cloned into build/llama-cpp-native/src. The chat-template agreement tests read
# llama.cpp's copies of the models' own templates from its models/templates (gpt-oss, Mistral);
# bench/llama-cpp-native.sh builds the benchmark peer from it. Idempotent.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/build/llama-cpp-native"
package=node-llama-cpp@3.22.1   # its llama/gitRelease.bundle: llama.cpp tag v0.5.0
mkdir -p "$dest"
if [ ! -d "$dest/src/.git" ]; then
  command -v npm >/dev/null || { echo "ci/fetch-llama-cpp-source.sh: npm is needed to fetch $package" >&2; exit 1; }
  work=$(mktemp -d "$dest/.fetch.XXXXXX")
  (cd "$work" && npm pack --silent "$package" >/dev/null && tar -xzf ./*.tgz package/llama/gitRelease.bundle)
  rm -rf "$dest/src" "$dest/src.tmp"
  git -c advice.detachedHead=false clone -q "$work/package/llama/gitRelease.bundle" "$dest/src.tmp"
  mv "$dest/src.tmp" "$dest/src"
  rm -rf "$work"
fi
test -f "$dest/src/models/templates/openai-gpt-oss-120b.jinja" \
  || { echo "ci/fetch-llama-cpp-source.sh: $dest/src has no models/templates/openai-gpt-oss-120b.jinja" >&2; exit 1; }
