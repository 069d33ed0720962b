#!/usr/bin/env bash
# The server driven by curl: starts `./vane serve` (embedded model, an API key, a free port) and
# checks every endpoint's answer, a refusal of each kind, then that SIGTERM lets a stream in
# flight end with [DONE] and the server exit 0. Loopback only. Usage: server/scripts/curl-check.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
key=sk-curl-check
log=$(mktemp) out=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$log" "$out"' EXIT
"$root/vane" serve --port 0 --api-key "$key" --parallel 2 2>"$log" &
pid=$!
for _ in $(seq 600); do grep -q 'on http://' "$log" && break; kill -0 $pid || { cat "$log"; exit 1; }; sleep 0.1; done
base=$(grep -o 'http://[0-9.:]*' "$log" | head -1)
echo "== vane serve at $base (pid $pid)"
c() { curl -sS --noproxy '*' --max-time 120 "$@"; }
auth=(-H "Authorization: Bearer $key" -H 'Content-Type: application/json')
json() { python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }
status() { c -o /dev/null -w '%{http_code}' "$@"; }

c "$base/health" | json 'assert d["status"] == "ok", d'
c "${auth[@]}" "$base/v1/models" | json 'assert d["data"][0]["object"] == "model", d'
chat='{"messages": [{"role": "user", "content": "Who made the heaven?"}], "max_tokens": 12, "temperature": 0}'
c "${auth[@]}" -d "$chat" "$base/v1/chat/completions" \
  | json 'm = d["choices"][0]["message"]; assert m["role"] == "assistant" and m["content"], d; assert d["usage"]["completion_tokens"] > 0, d'
c -N "${auth[@]}" -d "${chat%\}}, \"stream\": true}" "$base/v1/chat/completions" > "$out/stream"
grep -q '"chat.completion.chunk"' "$out/stream"
[ "$(grep -v '^$' "$out/stream" | tail -1)" = "data: [DONE]" ]
c "${auth[@]}" -d '{"prompt": "In the beginning", "max_tokens": 8, "temperature": 0, "logprobs": 2}' "$base/v1/completions" \
  | json 'ch = d["choices"][0]; assert len(ch["logprobs"]["token_logprobs"]) == d["usage"]["completion_tokens"], d'
c "${auth[@]}" -d '{"input": ["the earth", "the heaven"]}' "$base/v1/embeddings" \
  | json 'v = d["data"][1]["embedding"]; assert d["pooling"] == "mean" and abs(sum(x*x for x in v) - 1) < 1e-4, d["usage"]'
ids=$(c "${auth[@]}" -d '{"content": "In the beginning"}' "$base/tokenize" | json 'print(json.dumps(d["tokens"]))')
c "${auth[@]}" -d "{\"tokens\": $ids}" "$base/detokenize" | json 'assert d["content"].strip() == "In the beginning", d'
echo "== every endpoint answered"

[ "$(status "$base/v1/models")" = 401 ]
[ "$(status "${auth[@]}" -d '{"messages": [' "$base/v1/chat/completions")" = 400 ]
[ "$(status "${auth[@]}" -d '{"messages": [], "bogus": 1}' "$base/v1/chat/completions")" = 400 ]
[ "$(status "${auth[@]}" -d "{\"prompt\": \"$(printf 'the %.0s' $(seq 3000))\"}" "$base/v1/completions")" = 400 ]
[ "$(status "${auth[@]}" "$base/v2/nothing")" = 404 ]
c "${auth[@]}" -d '{"messages": [' "$base/v1/chat/completions" | json 'assert set(d["error"]) == {"message", "type", "param", "code"}, d'
echo "== refusals are OpenAI error objects"

# A long stream, then SIGTERM while it runs: it must end with [DONE] and the server exit 0.
c -N "${auth[@]}" -d '{"messages": [{"role": "user", "content": "Tell a long story."}], "max_tokens": 150, "temperature": 0.8, "seed": 3, "stream": true}' \
  "$base/v1/chat/completions" > "$out/long" &
curl_pid=$!
for _ in $(seq 300); do [ -s "$out/long" ] && break; sleep 0.05; done
kill -TERM $pid
wait $curl_pid
[ "$(grep -v '^$' "$out/long" | tail -1)" = "data: [DONE]" ]
wait $pid && rc=0 || rc=$?
[ $rc = 0 ] || { echo "vane serve exited $rc"; cat "$log"; exit 1; }
grep -q 'drained' "$log"
echo "== SIGTERM: the stream in flight ended with [DONE] ($(grep -c '^data: {' "$out/long") chunks), the server drained and exited 0"
