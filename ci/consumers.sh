#!/usr/bin/env bash
# Builds the two consumer projects (samples/consumer-modulepath, samples/consumer-classpath) with
# Maven as a user would, against the jars this checkout's `mvn verify` (or package) just built,
# and runs the README's Java example in each: on the module path with
# --enable-native-access=dev.vane,dev.vane.bindings, and on the class path with ALL-UNNAMED.
# Also checks what the JDK does on the module path without the flag (a warning) and with
# --illegal-native-access=deny (a clear failure).
#
# Nothing is installed into the shared local repository: the Vane artifacts are staged in a
# temporary one whose other directories are links to ~/.m2/repository (for the plugins and
# third-party jars). Extra arguments go to mvn (e.g. -o). 45 s on 2 busy vCPUs (docs/RELIABILITY.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source ci/find-jdk.sh
java="$JAVA_HOME/bin/java"
m2=${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}
version=$(grep -m1 -o '<version>[^<]*</version>' pom.xml | sed 's/<[^>]*>//g')

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
repo="$work/repository"

# The local repository: everything but dev/vane linked from ~/.m2, dev/vane staged from target/.
mkdir -p "$repo/dev/vane"
for d in "$m2"/*; do [ "$(basename "$d")" = dev ] || ln -s "$d" "$repo/"; done
if [ -d "$m2/dev" ]; then
  for d in "$m2"/dev/*; do [ "$(basename "$d")" = vane ] || ln -s "$d" "$repo/dev/"; done
fi
stage() {  # artifactId pom [jar [classifier]]
  local dir="$repo/dev/vane/$1/$version"
  mkdir -p "$dir"
  cp "$2" "$dir/$1-$version.pom"
  if [ $# -ge 3 ]; then
    [ -f "$3" ] || { echo "ci/consumers.sh: $3 is missing; run mvn verify (or package) first" >&2; exit 1; }
    cp "$3" "$dir/$1-$version${4:+-$4}.jar"
  fi
}
stage vane-parent pom.xml
stage vane-native native/pom.xml "native/target/vane-native-$version-linux-x86_64.jar" linux-x86_64
stage vane-bindings bindings/pom.xml "bindings/target/vane-bindings-$version.jar"
stage vane-api java-api/pom.xml "java-api/target/vane-api-$version.jar"
stage vane-embedded-model embedded-model/pom.xml "embedded-model/target/vane-embedded-model-$version.jar"

# Build both projects in a copy. They run the same code, one with a module-info and one without.
cmp samples/consumer-modulepath/src/main/java/example/ReadmeExample.java \
    samples/consumer-classpath/src/main/java/example/ReadmeExample.java \
  || { echo "ci/consumers.sh: the two consumers' ReadmeExample.java differ" >&2; exit 1; }
cp -r samples/consumer-modulepath samples/consumer-classpath "$work/"
rm -rf "$work"/consumer-*/target
for p in consumer-modulepath consumer-classpath; do
  echo "== mvn package: samples/$p"
  mvn -B -ntp -q "$@" -f "$work/$p/pom.xml" -Dmaven.repo.local="$repo" -Dvane.version="$version" package
done
mp="$work/consumer-modulepath/target/consumer-modulepath-1.jar:$work/consumer-modulepath/target/lib"
cp="$work/consumer-classpath/target/consumer-classpath-1.jar:$work/consumer-classpath/target/lib/*"
model="$work/model.gguf"
fail() { echo "ci/consumers.sh: $1" >&2; echo "$2" >&2; exit 1; }
text() { sed -n '/^sdk module:/q;p' <<<"$1"; }  # what the model generated

echo "== module path: java --enable-native-access=dev.vane,dev.vane.bindings -p ... -m example.consumer/example.ReadmeExample"
out=$("$java" --enable-native-access=dev.vane,dev.vane.bindings -p "$mp" -m example.consumer/example.ReadmeExample "$model" 2>&1) \
  || fail "the module-path consumer failed" "$out"
grep -q '^sdk module: dev.vane$' <<<"$out" || fail "the SDK did not run as module dev.vane" "$out"
! grep -q WARNING <<<"$out" || fail "warnings on the module path with the flag" "$out"
generated=$(text "$out")
[ -n "$(tr -d '[:space:]' <<<"$generated")" ] || fail "the module-path consumer generated no text" "$out"
echo "$out"

echo "== module path without the flag: the JDK warns"
out=$("$java" -p "$mp" -m example.consumer/example.ReadmeExample "$model" 2>&1) || fail "the module-path consumer failed without the flag" "$out"
grep -q 'WARNING: A restricted method in java.lang.foreign' <<<"$out" && grep -q 'in module dev.vane.bindings' <<<"$out" \
  || fail "no native-access warning naming dev.vane.bindings without the flag" "$out"
grep 'WARNING' <<<"$out"

echo "== module path without the flag, --illegal-native-access=deny: it fails and says why"
if out=$("$java" --illegal-native-access=deny -p "$mp" -m example.consumer/example.ReadmeExample "$model" 2>&1); then
  fail "the module-path consumer ran without native access under deny" "$out"
fi
grep -q 'the JVM denies native access to module dev.vane.bindings.*--enable-native-access=dev.vane,dev.vane.bindings' <<<"$out" \
  || fail "the denied run does not say which flag to pass" "$out"
grep -m1 'Could not load libvane' <<<"$out"

echo "== module path with the flag, --illegal-native-access=deny: it runs"
out=$("$java" --illegal-native-access=deny --enable-native-access=dev.vane,dev.vane.bindings -p "$mp" \
  -m example.consumer/example.ReadmeExample "$model" 2>&1) || fail "the module-path consumer failed under deny with the flag" "$out"
[ "$(text "$out")" = "$generated" ] || fail "a different text under deny" "$out"

echo "== class path: java --enable-native-access=ALL-UNNAMED -cp ... example.ReadmeExample"
out=$("$java" --enable-native-access=ALL-UNNAMED -cp "$cp" example.ReadmeExample "$model" 2>&1) \
  || fail "the class-path consumer failed" "$out"
grep -q '^sdk module: unnamed (class path)$' <<<"$out" || fail "the SDK was not on the class path" "$out"
! grep -q WARNING <<<"$out" || fail "warnings on the class path with the flag" "$out"
[ "$(text "$out")" = "$generated" ] || fail "the class path generated a different text than the module path" "$out"
echo "$out"
echo "== consumers: OK (the same text on the module path and the class path)"
