#!/usr/bin/env bash
# Held-out perplexity of one model in every weight format Vane holds, as a Markdown table
# (docs/QUALITY.md): ./bench/quality.sh MODEL TEXT [CONTEXT]. Each row is `vane eval perplexity`
# with --weights FORMAT; the change is relative to the f32 row, memory is the weights as held.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
model=${1:?usage: bench/quality.sh MODEL TEXT [CONTEXT]}
text=${2:?usage: bench/quality.sh MODEL TEXT [CONTEXT]}
context=${3:-256}
formats=(f32 f16 fp8 fp8-block int4-g32 int4-g128 int4-asym-g32 int4-asym-g128 q8_0 q4_0)
echo "| weights | held as | perplexity | change vs f32 | weight memory (MB) |"
echo "|---|---|---|---|---|"
base=""
for f in "${formats[@]}"; do
  line=$("$root/vane" eval perplexity --model "$model" --text "$text" --context "$context" --weights "$f" 2>/dev/null | tail -1)
  ppl=$(sed -E 's/.*perplexity ([0-9.]+) .*/\1/' <<<"$line")
  mb=$(sed -E 's/.*; weights ([0-9.]+) MB.*/\1/' <<<"$line")
  held=$(sed -E 's/.*MB \((.*)\)$/\1/' <<<"$line")
  [ -n "$base" ] || base=$ppl
  change=$(awk -v p="$ppl" -v b="$base" 'BEGIN { printf "%+.2f%%", 100 * (p / b - 1) }')
  echo "| $f | $held | $ppl | $change | $mb |"
done
