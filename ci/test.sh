#!/usr/bin/env bash
# The test command: builds libvane and runs the native tests (ctest, each also under
# VANE_CPU=baseline, and once more under ASan and UBSan: ci/sanitizers.sh; then libFuzzer on the
# entry points that take sizes from their caller: ci/native-fuzz.sh), then builds and tests
# the Java modules (mvn verify: JUnit 5 tests, again under VANE_CPU=baseline, and integration tests
# on the packaged jars), builds and runs the consumer projects on the module path and the class path
# (ci/consumers.sh), a 30 s concurrency and memory soak (ci/soak.sh 30, ~50 s in all), then drives
# `vane serve` with curl (server/scripts/curl-check.sh).
# The parsers' fuzzers replay their inputs in mvn verify and then fuzz for 10 s each (ci/fuzz.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source ci/find-jdk.sh
echo "== JDK: $JAVA_HOME ($("$JAVA_HOME/bin/java" -version 2>&1 | head -1))"
# Build tools: install what is missing where we can (Debian, as root), else say what to install.
missing=()
for pair in cmake:cmake g++:g++ mvn:maven python3:python3 objdump:binutils curl:curl; do
  command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  else
    echo "ci/test.sh: missing build tools; install: ${missing[*]}" >&2
    exit 1
  fi
fi
jobs=$(nproc 2>/dev/null || echo 2)

echo "== llama.cpp for the agreement tests (npm's prebuilt library, tools/llama-ref)"
ci/fetch-llama-cpp.sh
ci/fetch-llama-node.sh  # its JavaScript API too: the Jinja chat template tests render through it
ci/fetch-llama-cpp-source.sh  # llama.cpp's copies of the gpt-oss and Mistral templates (models/templates)

echo "== native build and tests"
cmake -S . -B build/ci -DCMAKE_BUILD_TYPE=Release -DVANE_BUILD_TESTS=ON >/dev/null
cmake --build build/ci --parallel "$jobs"
ctest --test-dir build/ci --output-on-failure --timeout 600

echo "== native tests under AddressSanitizer and UndefinedBehaviorSanitizer (ci/sanitizers.sh)"
ci/sanitizers.sh

echo "== native fuzzing: each libFuzzer harness for 10 s (ci/native-fuzz.sh; installs clang if missing)"
ci/native-fuzz.sh 10

echo "== vocabularies and chat templates for the tokenizer and Jinja cross-checks"
ci/fetch-vocabularies.sh

echo "== Java build and tests (mvn verify)"
mvn -B -ntp verify

echo "== consumer projects on the module path and on the class path (ci/consumers.sh, under a minute)"
ci/consumers.sh

echo "== concurrency and memory soak, short version: 30 s after a 10 s warm-up (ci/soak.sh; the long run is ci/soak.sh 600)"
VANE_SOAK_BUILD=0 ci/soak.sh 30

echo "== fuzzing: each Jazzer target for 10 s (ci/fuzz.sh; every committed input already ran in mvn verify)"
ci/fuzz.sh 10

echo "== the server driven by curl (vane serve on loopback, SIGTERM drain)"
server/scripts/curl-check.sh
