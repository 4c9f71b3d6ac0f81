# Shared by bin/einhorn and bin/einhornsh: where the build is, which java runs it, with which flags.
EINHORN_HOME="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
if [ -f "$EINHORN_HOME/lib/launcher.jar" ]; then          # an unpacked release
  EINHORN_LIB="$EINHORN_HOME/lib"
else                                                      # a source checkout
  EINHORN_LIB="$EINHORN_HOME/launcher/target"
fi
EINHORN_CLASSPATH="$EINHORN_LIB/launcher.jar:$EINHORN_LIB/lib/*"
if [ -n "${EINHORN_MASTER_JAVA:-}" ]; then EINHORN_JAVA="$EINHORN_MASTER_JAVA"
elif [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then EINHORN_JAVA="$JAVA_HOME/bin/java"
else EINHORN_JAVA=java
fi
# The master lives for months beside the app: a small heap, the serial GC, C1 only, few threads.
EINHORN_MASTER_JVM_OPTS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xms4m -Xmx64m -Xss512k \
 -XX:ReservedCodeCacheSize=24m -XX:CICompilerCount=1 -XX:-UsePerfData -Xshare:auto \
 --add-exports java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
 --add-opens java.base/java.io=ALL-UNNAMED ${EINHORN_JVM_OPTS:-}"
EINHORN_SHELL_JVM_OPTS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Xshare:auto"

einhorn_ensure_built() {
  if [ ! -f "$EINHORN_LIB/launcher.jar" ] || [ ! -d "$EINHORN_LIB/lib" ]; then
    echo "einhorn: building the launcher on first use (mvn package)..." >&2
    (cd "$EINHORN_HOME" && mvn -q -B -DskipTests package) >&2 \
      || { echo "einhorn: the build failed; run 'mvn package' in $EINHORN_HOME to see why" >&2; exit 1; }
  fi
}
