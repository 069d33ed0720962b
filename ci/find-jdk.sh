# Sourced by ci/test.sh, ./vane and bench/run.sh: sets JAVA_HOME to a JDK >= 22 (Vane needs the
# final Foreign Function & Memory API) and puts it first on PATH.
# Order: $JAVA_HOME if it qualifies, else the newest qualifying JDK under /usr/lib/jvm, else the
# java on PATH; otherwise a message that says what was found.

vane_jdk_major() {  # prints the major version of the JDK at $1, or nothing
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  "$1/bin/java" -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit }'
}

vane_find_jdk() {
  local candidates=() seen="" dir major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for dir in /usr/lib/jvm/*; do [ -d "$dir" ] && candidates+=("$dir"); done
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  local best="" best_major=0
  for dir in "${candidates[@]}"; do
    major=$(vane_jdk_major "$dir")
    seen="$seen  $dir: ${major:-not a JDK}"$'\n'
    [ -n "$major" ] && [ "$major" -ge 22 ] || continue
    # JAVA_HOME wins when it qualifies; otherwise take the newest.
    if [ -n "${JAVA_HOME:-}" ] && [ "$dir" = "$JAVA_HOME" ]; then best=$dir; break; fi
    if [ "$major" -gt "$best_major" ]; then best=$dir; best_major=$major; fi
  done
  if [ -z "$best" ]; then
    echo "Vane needs a JDK 22 or newer (Foreign Function & Memory API). Found:" >&2
    printf '%s' "$seen" >&2
    echo "Install one (e.g. Temurin 25 under /usr/lib/jvm) or set JAVA_HOME to it." >&2
    return 1
  fi
  export JAVA_HOME=$best
  export PATH="$JAVA_HOME/bin:$PATH"
  # Maven 3.8's bundled Guava warns about sun.misc.Unsafe on JDK 24+; the flag silences it there
  # (older JDKs would reject it).
  if [ "$(vane_jdk_major "$best")" -ge 24 ] && [[ "${MAVEN_OPTS:-}" != *sun-misc-unsafe* ]]; then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  fi
}

vane_find_jdk || exit 1
