#!/usr/bin/env bash
# Builds .carry/device/ (git-ignored): a small Java runtime made with jlink, and gpu-operators with its
# tests and dependencies, so that the cuda checks can run on a lent GPU machine that has no JDK and no
# network. On that machine, from the repository root (with .carry/device carried):
#   .carry/device/run.sh tests [PACKAGE]    JUnit tests of gpu-operators (the cuda contract included)
#   .carry/device/run.sh bench OUT_DIR      bin/muxflow bench executors (cuda vs PyTorch where both work)
# Here, the same commands run on this machine's GPU if it has one, and skip the cuda tests if not.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/.carry/device"
CP="$ROOT/gpu-operators/target/device-classpath.txt"

echo "device-bundle: building gpu-operators and its tests..." >&2
(cd "$ROOT" && mvn -B -q ${MAVEN_ARGS:-} -pl gpu-operators -am -DskipTests package dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/device-classpath.txt)

rm -rf "$OUT"
mkdir -p "$OUT/lib"
tr ':' '\n' <"$CP" | while read -r jar; do
  [ -n "$jar" ] && cp "$jar" "$OUT/lib/"
done
# the module's own classes and test classes as directories: the tests read their reference outputs
# as files
cp -r "$ROOT/gpu-operators/target/classes" "$OUT/classes"
cp -r "$ROOT/gpu-operators/target/test-classes" "$OUT/test-classes"

echo "device-bundle: making a Java runtime with jlink..." >&2
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
jlink --add-modules java.base,java.logging,jdk.unsupported,java.management,java.xml,java.naming,jdk.zipfs,jdk.incubator.vector \
    --strip-debug --no-header-files --no-man-pages --compress=2 --output "$TMP/jre"
tar czf "$OUT/jre.tgz" -C "$TMP" jre

cat >"$OUT/run.sh" <<'RUN'
#!/usr/bin/env bash
# Runs gpu-operators' checks with the bundled runtime: run.sh tests [PACKAGE] | bench OUT_DIR
set -euo pipefail
D="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JRE="${TMPDIR:-/tmp}/muxflow-jre"
[ -x "$JRE/bin/java" ] || { mkdir -p "$JRE" && tar xzf "$D/jre.tgz" -C "$JRE" --strip-components=1; }
exec "$JRE/bin/java" --add-modules=jdk.incubator.vector -cp "$D/classes:$D/test-classes:$D/lib/*" io.muxflow.gpu.DeviceRun "$@"
RUN
chmod +x "$OUT/run.sh"
echo "device-bundle: $(du -sh "$OUT" | cut -f1) in $OUT (jre.tgz $(du -h "$OUT/jre.tgz" | cut -f1), $(ls "$OUT/lib" | wc -l) jars)" >&2
