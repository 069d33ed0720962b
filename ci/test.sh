#!/usr/bin/env bash
# The test command: builds libvane and runs the native tests (ctest, each also under
# VANE_CPU=baseline), then builds and tests the Java modules (mvn verify: JUnit 5 tests, again
# under VANE_CPU=baseline, and integration tests on the packaged jars).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source ci/find-jdk.sh
echo "== JDK: $JAVA_HOME ($("$JAVA_HOME/bin/java" -version 2>&1 | head -1))"
for tool in cmake g++ mvn python3 objdump; do
  command -v "$tool" >/dev/null || { echo "ci/test.sh: '$tool' is missing (apt-get install cmake g++ maven python3 binutils)" >&2; exit 1; }
done
jobs=$(nproc 2>/dev/null || echo 2)

echo "== native build and tests"
cmake -S . -B build/ci -DCMAKE_BUILD_TYPE=Release -DVANE_BUILD_TESTS=ON >/dev/null
cmake --build build/ci --parallel "$jobs"
ctest --test-dir build/ci --output-on-failure --timeout 600

echo "== Java build and tests (mvn verify)"
mvn -B -ntp verify
