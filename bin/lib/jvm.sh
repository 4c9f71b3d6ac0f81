# Shared by bin/einhorn and bin/einhornsh: where the build is, which java runs it, with which flags, and the
# master's class-data archive. docs/FOOTPRINT.md says why each flag is there and how it was measured.
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
# The java binary's real path, its feature release and update (17 and 15 for 17.0.15; 0 if unknown), from the JDK's
# release file.
EINHORN_JAVA_REAL="$(readlink -f "$(command -v "$EINHORN_JAVA" 2>/dev/null || echo "$EINHORN_JAVA")" 2>/dev/null || true)"
EINHORN_JAVA_FEATURE=0
EINHORN_JAVA_UPDATE=0
if [ -r "${EINHORN_JAVA_REAL%/bin/java}/release" ]; then
  while IFS= read -r line; do
    case "$line" in JAVA_VERSION=\"[0-9]*)
      line="${line#JAVA_VERSION=\"}"; line="${line%%\"*}"; EINHORN_JAVA_FEATURE="${line%%[!0-9]*}"
      case "$line" in *.*.[0-9]*) line="${line#*.*.}"; EINHORN_JAVA_UPDATE="${line%%[!0-9]*}" ;; esac ;;
    esac
  done < "${EINHORN_JAVA_REAL%/bin/java}/release"
fi
# The master lives for months beside the app: a small heap with a small young generation (a young collection
# every ~20 requests instead of ~60, each shorter), the serial GC, C1 only with shallower inlining (less compiled
# code and compiler memory for the request path), few threads; the JDK's class-data archive mapped where it was
# built, so its pages stay clean and shared with every other JVM of the same JDK (workers included).
# The master's Java locale is en_US whatever LANG says: everything it writes is protocol or English log, and a
# locale with other digits broke it (jffi names its native stub with String.format: under LANG=ar_EG.UTF-8 it looked
# for libjffi-١.٢.so and the master never started). en_US is also the one locale for which java.util.Formatter needs
# no locale data. LANG still reaches the workers, and the file-name encoding still follows LC_CTYPE
# (docs/JVM-FACTS.md, "Locale").
EINHORN_LOCALE_OPTS="-Duser.language=en -Duser.country=US -Duser.variant= -Duser.script="
EINHORN_BASE_JVM_OPTS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xms4m -Xmx64m -Xmn512k -Xss512k \
 -XX:C1MaxInlineSize=20 -XX:C1MaxInlineLevel=4 \
 -XX:ReservedCodeCacheSize=24m -XX:CICompilerCount=1 -XX:-UsePerfData -Xshare:auto \
 -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0 \
 --add-exports java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
 --add-opens java.base/java.io=ALL-UNNAMED --enable-native-access=ALL-UNNAMED $EINHORN_LOCALE_OPTS"
# jffi's native stub, unpacked by the build: loaded where it is rather than copied out of its jar into /tmp at every
# start (which also set up SecureRandom for the file's name). Without it (another CPU), jffi copies as before.
case "${HOSTTYPE:-}" in i?86) EINHORN_JFFI_CPU=i386 ;; arm*) EINHORN_JFFI_CPU=arm ;; *) EINHORN_JFFI_CPU="${HOSTTYPE:-}" ;; esac
# bin/einhorn splits these flags at whitespace: a path goes in only when it is made of the characters below (an
# install path with a space then only loses this and the archive, not the master).
einhorn_safe_path() { case "$1" in ''|*[!A-Za-z0-9._/+-]*) return 1 ;; esac; }
if einhorn_safe_path "$EINHORN_LIB" && [ -f "$EINHORN_LIB/lib/jni/$EINHORN_JFFI_CPU-Linux/libjffi-1.2.so" ]; then
  EINHORN_BASE_JVM_OPTS="$EINHORN_BASE_JVM_OPTS -Djffi.boot.library.path=$EINHORN_LIB/lib/jni/$EINHORN_JFFI_CPU-Linux"
fi
# jffi (the master's way to libc, dev.einhorn.posix) uses sun.misc.Unsafe's memory access, which JDK 24+ warns
# about on stderr unless allowed.
[ "$EINHORN_JAVA_FEATURE" -ge 23 ] 2>/dev/null && EINHORN_BASE_JVM_OPTS="$EINHORN_BASE_JVM_OPTS --sun-misc-unsafe-memory-access=allow"
# After a burst of commands C1's compiler arenas are freed, but glibc keeps the pages: trimming the native heap every
# 5 s gives them back (1.4 MB of private dirty after 2,000 requests; docs/FOOTPRINT.md). The flag came with 17.0.10
# (experimental there, hence the unlock) and 22; an older JVM would refuse to start with it, and for 18-21 we do not
# know which update has it.
if { [ "$EINHORN_JAVA_FEATURE" -eq 17 ] && [ "$EINHORN_JAVA_UPDATE" -ge 10 ]; } || [ "$EINHORN_JAVA_FEATURE" -ge 22 ]; then
  EINHORN_BASE_JVM_OPTS="$EINHORN_BASE_JVM_OPTS -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=5000"
fi
EINHORN_MASTER_JVM_OPTS="$EINHORN_BASE_JVM_OPTS ${EINHORN_JVM_OPTS:-}"
EINHORN_SHELL_JVM_OPTS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Xshare:auto $EINHORN_LOCALE_OPTS"

einhorn_ensure_built() {
  if [ ! -f "$EINHORN_LIB/launcher.jar" ] || [ ! -d "$EINHORN_LIB/lib" ]; then
    echo "einhorn: building the launcher on first use (mvn package)..." >&2
    # Maven's console library writes colour resets even with -q -B: keep its output in a log, shown
    # (without escape sequences) only when the build fails.
    local log
    log="$(mktemp "${TMPDIR:-/tmp}/einhorn-build.XXXXXX")"
    if ! (cd "$EINHORN_HOME" && mvn -q -B -DskipTests -Dstyle.color=never package) >"$log" 2>&1; then
      sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$log" | tail -n 40 >&2
      rm -f "$log"
      echo "einhorn: the build failed; run 'mvn package' in $EINHORN_HOME to see why" >&2
      exit 1
    fi
    rm -f "$log"
  fi
}

# What this script would run, as a checksum: the java binary (real path), the flags, the environment (all of it:
# JAVA_TOOL_OPTIONS, LD_PRELOAD and the like change a JVM's start too; less what bash sets itself), the JDK's own
# files, every jar and native library of the build, this file and bin/einhorn (size, mtime, inode of each). Two
# equal keys mean the same image on disk started the same way. bin/einhorn passes it to the master
# (-Deinhorn.image); at a reload the master hands it to its upgrade check, which needs no JVM when nothing changed
# (docs/FOOTPRINT.md).
einhorn_image_key() {
  local home="${EINHORN_JAVA_REAL%/bin/java}" key _
  read -r key _ < <( { echo "$EINHORN_JAVA_REAL|$EINHORN_BASE_JVM_OPTS|${EINHORN_JVM_OPTS:-}|${EINHORN_MASTER_ARCHIVE:-}"
      env -0 | grep -zv '^\(SHLVL\|_\|PWD\|OLDPWD\|EINHORN_RUNNING_IMAGE\)=' | sort -z
      stat -L -c '%s %Y %i' "$EINHORN_JAVA_REAL" "$home/lib/modules" "$home/lib/server/libjvm.so" "$home/release" \
        "$EINHORN_LIB/launcher.jar" "$EINHORN_LIB"/lib/*.jar "$EINHORN_LIB"/lib/jni/*/*.so \
        "${BASH_SOURCE[0]}" "$EINHORN_HOME/bin/einhorn" 2>&1 || true; } | cksum)
  echo "$key"
}

# ---- The master's class-data archive (AppCDS) --------------------------------------------------------------
# Every reload starts the master's JVM twice (the upgrade check, then the new image). A dynamic archive of the
# classes a running master loads makes those starts shorter. It is keyed by the java binary, the JDK's own
# files, every jar on the class path and this file, which holds the training (name, size, mtime), and the flags:
# any change gives a new name, so a stale archive is never used (the JVM would reject most mismatches too,
# silently). EINHORN_JVM_OPTS are not part of the key and not used in training; they come last, so they can
# override the archive flags, and a flag there that the archive cannot serve (say another GC) only loses the
# archive. It is built on first use by a training run in the background (einhorn_train_archive), written to a
# temporary name, then renamed; a missing, unreadable or broken archive only means a slower start.
# EINHORN_MASTER_ARCHIVE=off turns it off; EINHORN_MASTER_ARCHIVE_DIR=DIR puts it in DIR instead (none when DIR
# is not writable). A path with a character outside einhorn_safe_path's set gets no archive: bin/einhorn splits
# the flags at whitespace.

einhorn_archive_dir() {
  local d dirs=("$EINHORN_LIB/archive" "${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/einhorn")
  [ -n "${EINHORN_MASTER_ARCHIVE_DIR:-}" ] && dirs=("$EINHORN_MASTER_ARCHIVE_DIR")
  for d in "${dirs[@]}"; do
    einhorn_safe_path "$d" || continue
    if { [ -d "$d" ] || mkdir -p "$d" 2>/dev/null; } && [ -w "$d" ]; then echo "$d"; return 0; fi
  done
  return 1
}

# Prints the archive's path for this java, install, class path and flags (it may not exist yet): master-J-I-K.jsa,
# J of the java binary, I of the install (two installs sharing ~/.cache/einhorn do not prune each other's), K of
# the rest.
einhorn_archive_path() {
  local java="$EINHORN_JAVA_REAL" home dir jdk inst key _
  [ -x "$java" ] || return 1
  home="${java%/bin/java}"
  dir="$(einhorn_archive_dir)" || return 1
  read -r jdk _ < <(echo "$java" | cksum)
  read -r inst _ < <(echo "$EINHORN_LIB" | cksum)
  read -r key _ < <( { echo "$java $EINHORN_BASE_JVM_OPTS"
            stat -L -c '%n %s %Y' "$home/lib/modules" "$home/lib/server/libjvm.so" "$home/release" \
              "$EINHORN_LIB/launcher.jar" "$EINHORN_LIB"/lib/*.jar "$EINHORN_HOME/bin/lib/jvm.sh" 2>&1 || true; } | cksum)
  einhorn_safe_path "$dir/master-$jdk-$inst-$key.jsa" || return 1
  echo "$dir/master-$jdk-$inst-$key.jsa"
}

# Prints the pid recorded in the training lock LOCK. Only a regular file is read: a FIFO put there would block
# the read, and bin/einhorn with it, for good.
einhorn_training_lock_owner() {
  local owner
  [ -f "$1/pid" ] && read -r -n 32 owner <"$1/pid" 2>/dev/null && echo "$owner"
}

# Removes the training lock LOCK if PID still owns it (a newer training may have taken over a stale one).
einhorn_release_training_lock() {
  [ "$(einhorn_training_lock_owner "$1")" = "$2" ] && rm -rf "$1"
  return 0
}

# The state, process group and session of PID ("S 1234 1234"), nothing when it is gone.
einhorn_proc_state() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"; set -- $stat
  echo "$1 $3 $4"
}

# True while PID runs (a zombie does not).
einhorn_alive() {
  local state
  state="$(einhorn_proc_state "$1")" && [ "${state%% *}" != Z ]
}

# The training's bound: once the orchestrator (pid ORCH, leader of the session the training master and its
# workers are in; the master puts each worker in a process group of its own) is gone, or BOUND seconds have
# passed, kills every process of that session and removes the temp dir DIR and the lock; a training cut off by
# the bound counts as failed. Runs in a session of its own, so neither a kill of the orchestrator nor its own
# kills reach it. A training that ends by itself kills it first.
einhorn_training_watchdog() {
  local orch="$1" dir="$2" archive="$3" deadline=$((SECONDS + $4)) p state round
  while einhorn_alive "$orch" && [ "$SECONDS" -lt "$deadline" ]; do sleep 1; done
  for round in 1 2 3; do # again, for a worker the master forked while the first round ran
    for p in /proc/[0-9]*; do
      p="${p#/proc/}"; state="$(einhorn_proc_state "$p")" || continue
      [ "${state##* }" = "$orch" ] && kill -KILL "$p" 2>/dev/null
    done
    sleep 0.2
  done
  [ "$SECONDS" -ge "$deadline" ] && touch "$archive.failed"
  rm -rf "$dir"
  einhorn_release_training_lock "$archive.training" "$orch"
}

# Runs a master with a trivial worker, reloads it, and stops it; the re-executed image writes the archive of what
# it loaded when it exits. Before it stops, that image goes through a reload of its own, requested on the command
# socket as an operator would, up to an execve that fails: a reload's classes (the command, the upgrade check, the
# hand-over and its YAML emitter, the execve binding) are then in the archive too, so a reload does not read them
# from the jars. The failure comes from --reexec-as: a wrapper of bin/einhorn that, once told to, passes the
# upgrade check and empties itself, so execve refuses it (ENOEXEC) and the master carries on (docs/FOOTPRINT.md).
# Runs as the leader of its own session (setsid, einhorn_use_archive); bounded by
# EINHORN_ARCHIVE_TRAINING_BOUND seconds (120) even if this process is killed (einhorn_training_watchdog); leaves
# nothing running; the archive appears atomically. No path is put into shell code: the temp dir's base is TMPDIR
# only when einhorn_safe_path accepts it, and the worker and the wrapper get their paths as arguments.
einhorn_train_archive() {
  local archive="$1" dir pid i fd base="${TMPDIR:-/tmp}" bound="${EINHORN_ARCHIVE_TRAINING_BOUND:-120}" watchdog
  # Nothing of the caller's: no inherited fd (a systemd socket, a pipe someone waits on), no systemd variables.
  for fd in /proc/self/fd/*; do fd="${fd##*/}"; [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-" 2>/dev/null; done
  unset NOTIFY_SOCKET LISTEN_FDS LISTEN_PID LISTEN_FDNAMES WATCHDOG_USEC WATCHDOG_PID
  case "$bound" in ''|*[!0-9]*) bound=120 ;; esac
  einhorn_safe_path "$base" || base=/tmp
  echo $$ >"$archive.training/pid" 2>/dev/null
  # the watchdog kills this session: it must be this training's own (setsid made it so)
  local state; state="$(einhorn_proc_state $$)"
  [ "${state##* }" = $$ ] || { einhorn_release_training_lock "$archive.training" $$; return 1; }
  dir="$(mktemp -d "$base/einhorn-archive.XXXXXX")" || { einhorn_release_training_lock "$archive.training" $$; return 1; }
  setsid bash -c 'source "$1"; einhorn_training_watchdog "$2" "$3" "$4" "$5"' _ "${BASH_SOURCE[0]}" $$ "$dir" \
    "$archive" "$bound" </dev/null >/dev/null 2>&1 &
  watchdog=$!
  # The wrapper: its own path ($0) and bin/einhorn's (single-quoted, any quote in it escaped) are no shell code.
  local einhorn="$EINHORN_HOME/bin/einhorn"
  printf '%s\n' '#!/bin/sh' '[ "$1" = --upgrade-check ] && [ -e "$0.break" ] && { : >"$0"; exit 0; }' \
    "exec '${einhorn//\'/\'\\\'\'}' \"\$@\"" >"$dir/reexec"
  chmod 700 "$dir/reexec"
  # A worker started once the wrapper is told to break (by a TTIN) asks for the reload on its -g connection.
  EINHORN_ARCHIVE_TRAINING="$dir" EINHORN_MASTER_ARCHIVE=off EINHORN_JVM_OPTS= "$EINHORN_HOME/bin/einhorn" \
    -d "$dir/einhorn.sock" -e "$dir/einhorn.pid" -f "$dir/einhorn.lock" -n 1 -m 0.01 -g --reexec-as "$dir/reexec" \
    -- sh -c '[ -e "$1/reexec.break" ] && echo '\''{"command":"reload"}'\'' >&"$EINHORN_SOCK_FD"; exec sleep 20' \
    sh "$dir" >"$dir/log" 2>&1 </dev/null &
  pid=$!
  for i in $(seq 300); do grep -q "Writing PID" "$dir/log" 2>/dev/null || ! kill -0 "$pid" 2>/dev/null && break; sleep 0.1; done
  sleep 1; kill -HUP "$pid" 2>/dev/null # an upgrade: the re-executed image starts a worker, then retires the first
  for i in $(seq 600); do grep -q "Upgrade done" "$dir/log" 2>/dev/null || ! kill -0 "$pid" 2>/dev/null && break; sleep 0.1; done
  touch "$dir/reexec.break"; kill -TTIN "$pid" 2>/dev/null
  for i in $(seq 300); do grep -q "Could not reload\|reload safely" "$dir/log" 2>/dev/null || ! kill -0 "$pid" 2>/dev/null && break; sleep 0.1; done
  sleep 1; kill -TERM "$pid" 2>/dev/null
  for i in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  kill "$watchdog" 2>/dev/null
  if [ -s "$dir/$pid.jsa" ] && mv -f "$dir/$pid.jsa" "$archive.$$.tmp" 2>/dev/null \
      && { mv -fT "$archive.$$.tmp" "$archive" 2>/dev/null || { rm -f "$archive.$$.tmp"; false; }; }; then
    # what einhorn_archive_intact compares before each start; written once the archive is in place (a rename
    # changes its ctime), so until then the new archive is not used, which costs a start without it at most
    einhorn_archive_stat "$archive" >"$archive.stat.$$.tmp" 2>/dev/null && mv -fT "$archive.stat.$$.tmp" "$archive.stat"
    rm -f "$archive.stat.$$.tmp"
    # this java's archives of this install for earlier builds are stale now; other JDKs' and installs' stay
    # (and this java's archives named before the install joined the name: master-J-K.jsa, no install part)
    local prefix="${archive##*/}"; prefix="${prefix%-*}"
    find "$(dirname "$archive")" -maxdepth 1 \( -name "$prefix-*.jsa*" -o -regex ".*/${prefix%-*}-[0-9]+\.jsa.*" \) \
      ! -name "$(basename "$archive")" ! -name "$(basename "$archive").stat" ! -name '*.training' -exec rm -rf {} + 2>/dev/null
  else
    touch "$archive.failed" # not again for this build and java for an hour; a new build or JDK gets a new name
  fi
  rm -rf "$dir"
  einhorn_release_training_lock "$archive.training" $$
}

# The archive's identity: size, mtime, inode, ctime (a write, a truncation, a rename or a replacement changes one).
einhorn_archive_stat() {
  stat -c '%s %.9Y %i %.9Z' "$1"
}

# True when ARCHIVE is the regular file the training installed, unchanged since: the JVM maps the archive's regions
# as its header describes them, so a truncated archive (a full disk, a copy cut short) kills it with SIGBUS at boot
# (measured: JDK 17, an archive cut to 4 KB or to half), and it opens a FIFO in its path with a blocking open(2)
# that never returns. Garbage of the right size the JVM rejects by itself. A symlink is not followed: the file it
# names was not checked. An archive replaced between this check and the JVM's open is not caught.
einhorn_archive_intact() {
  local recorded
  [ -f "$1" ] && [ ! -L "$1" ] && [ -r "$1" ] && [ -f "$1.stat" ] && read -r -n 200 recorded <"$1.stat" 2>/dev/null \
    && [ "$(einhorn_archive_stat "$1" 2>/dev/null)" = "$recorded" ]
}

# Adds the archive to the master's flags when there is one; otherwise starts its training, detached, once.
einhorn_use_archive() {
  local archive
  [ "${EINHORN_MASTER_ARCHIVE:-on}" = off ] && return 0
  archive="$(einhorn_archive_path)" || return 0
  if einhorn_archive_intact "$archive"; then
    EINHORN_MASTER_JVM_OPTS="$EINHORN_BASE_JVM_OPTS -XX:SharedArchiveFile=$archive -Xlog:cds=off \
 -Xlog:cds+dynamic=off ${EINHORN_JVM_OPTS:-}"
    return 0
  fi
  # A failed training is not retried for an hour: it may have failed for a passing reason (a starved CPU, the
  # build replacing its jars under it); a training that always fails then costs one background run an hour.
  find "$(dirname "$archive")" -maxdepth 1 -name 'master-*.jsa.failed' -mmin +60 -exec rm -f {} + 2>/dev/null || true
  [ -e "$archive.failed" ] && return 0
  # One training at a time (mkdir is atomic). A lock whose owner (the pid in it) is gone, or older than 10 minutes
  # (no pid yet, or a pid taken again), is a leftover.
  find "$(dirname "$archive")" -maxdepth 1 -name 'master-*.jsa.training' -mmin +10 -exec rm -rf {} + 2>/dev/null || true
  if ! mkdir "$archive.training" 2>/dev/null; then
    local owner
    owner="$(einhorn_training_lock_owner "$archive.training")" || return 0
    einhorn_alive "$owner" && return 0
    einhorn_release_training_lock "$archive.training" "$owner"
    mkdir "$archive.training" 2>/dev/null || return 0
  fi
  # Detached (own session, no terminal, reparented to init): the master's waitpid(-1) never sees it.
  ( setsid bash -c 'source "$1"; einhorn_train_archive "$2"' _ "${BASH_SOURCE[0]}" "$archive" \
      </dev/null >/dev/null 2>&1 & )
}

# Inside a training run: write the archive of this JVM's classes when it exits (the pid survives the re-exec).
einhorn_training_flags() {
  [ -n "${EINHORN_ARCHIVE_TRAINING:-}" ] || return 0
  einhorn_safe_path "$EINHORN_ARCHIVE_TRAINING" || return 0
  EINHORN_MASTER_JVM_OPTS="$EINHORN_BASE_JVM_OPTS -XX:ArchiveClassesAtExit=$EINHORN_ARCHIVE_TRAINING/$$.jsa \
 -Xlog:cds=off -Xlog:cds+dynamic=off ${EINHORN_JVM_OPTS:-}"
}
