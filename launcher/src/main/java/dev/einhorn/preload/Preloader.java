package dev.einhorn.preload;

import dev.einhorn.config.Config;
import dev.einhorn.posix.ExitStatus;
import dev.einhorn.posix.LibcPosix;
import dev.einhorn.posix.Posix;
import dev.einhorn.posix.PosixException;
import dev.einhorn.posix.Signals;
import dev.einhorn.posix.SpawnRequest;
import dev.einhorn.runtime.BootJarExtract;
import dev.einhorn.runtime.Bootstrap;
import dev.einhorn.runtime.Training;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code -p app.jar}: prepares how a generation's workers start. A JVM cannot fork, so instead of Einhorn's
 * load-then-fork the master has one training JVM per generation load the app's classes and run its warm-up,
 * and write a class-data archive (the AOT cache on JDK 25+, a dynamic AppCDS archive on 17-24); every worker
 * JVM then starts from that archive, mapped at its archived address so its pages stay shared, and enters the
 * app's {@code einhornMain} (or its main).
 *
 * <p>{@link #begin} does only what is cheap on the master's loop thread: it reads the jar's manifest, hashes what
 * the cache key needs and, on a cache hit, is done. Otherwise it starts the preparation as a child process (a
 * Spring Boot jar's extraction, then the training JVM) and returns; the master's loop reaps that child like any
 * other ({@link #onExit}) and times it out ({@link #tick}). Nothing here throws for a problem of the app, and an
 * {@code Error} (out of memory included) is a fallback too: it logs Einhorn's {@code Proceeding with postload --
 * ...} and the workers start cold. See docs/PRELOAD.md.
 */
public final class Preloader {
    private static final Logger log = LoggerFactory.getLogger(Preloader.class);
    static final long DEFAULT_TIMEOUT_SECONDS = 120;
    /** After the timeout's SIGTERM the JVM still writes the archive (docs/PRELOAD.md); then SIGKILL. */
    static final long TERM_GRACE_SECONDS = 60;
    static final String OPENS = "java.base/sun.nio.ch=ALL-UNNAMED";
    /** Exit status of the preparation child when the Spring Boot jar could not be extracted. */
    static final int EXTRACT_FAILED = 90;

    private final Config config;
    private final Map<String, String> env;
    private final Posix posix;
    private final long timeoutSeconds;
    private final ArchiveWatch watch = new ArchiveWatch();

    /** What spawns use now: the generation's launch, or while it is prepared the previous one / a cold one. */
    private volatile WorkerLaunch launch;
    /** The last fallback known while {@link #begin} runs: what an unexpected Error leaves the workers with. */
    private WorkerLaunch fallback;
    private volatile Run running;
    private final Map<String, Object> state = new java.util.concurrent.ConcurrentHashMap<>();

    public Preloader(Config config, Map<String, String> env) {
        this(config, env, new LibcPosix());
    }

    public Preloader(Config config, Map<String, String> env, Posix posix) {
        this.config = config;
        this.env = Map.copyOf(env);
        this.posix = posix;
        this.timeoutSeconds = parseTimeout(env.get("EINHORN_PRELOAD_TIMEOUT"));
        this.launch = plain();
    }

    private static long parseTimeout(String v) {
        try {
            if (v != null && !v.isBlank()) return Math.max(1, Long.parseLong(v.trim()));
        } catch (NumberFormatException ignored) {
            // default
        }
        return DEFAULT_TIMEOUT_SECONDS;
    }

    /** Watches a spawned worker of this launch and warns when it did not map the archive. */
    public void watch(int pid, WorkerLaunch launch) {
        launch.archive().ifPresent(a -> watch.watch(pid, a));
    }

    /** How workers spawned now start. */
    public WorkerLaunch launch() {
        return launch;
    }

    /**
     * {@code current} if it maps no archive or its archive is as it was installed; else logs why and returns
     * {@code current} without the archive, how this generation's workers start from now on (the next reload or
     * upgrade checks the archive again, and rebuilds it if it is bad). A JVM that maps an archive written since it
     * was checked may crash at boot (SIGSEGV, SIGABRT), so every worker and standby would die in a loop.
     */
    public WorkerLaunch trusted(WorkerLaunch current) {
        Optional<Path> archive = current.archive();
        if (archive.isEmpty() || ArchiveCache.unchangedSinceInstall(archive.get())) return current;
        WorkerLaunch without = current.withoutArchive();
        log.error("The preload archive {} was written since it was checked; workers start without it ({}) until "
                + "the next reload or upgrade checks it again", archive.get(), without.description());
        if (launch == current) launch = without;
        return without;
    }

    /** True while the generation's preparation child runs. */
    public boolean preparing() {
        return running != null;
    }

    /** The preparation child's pid, or -1. */
    public int preparationPid() {
        Run r = running;
        return r == null ? -1 : r.pid;
    }

    /** For {@code state --json}: jar, layout, JDK, archive, class counts, training time, readiness. */
    public Map<String, Object> state() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String k : List.of("jar", "layout", "jdk", "archive", "classes_archived", "classes_failed", "training_s")) {
            m.put(k, state.get(k));
        }
        Run r = running;
        m.put("training", r != null);
        m.put("training_pid", r == null ? null : r.pid);
        m.put("archive_ready", r == null && launch.preloaded());
        return m;
    }

    /**
     * Starts preparing {@code generation} (1, 2, ...): on a cache hit (or a fallback) {@link #launch()} is final
     * when this returns; else a preparation child runs and, until it is reaped, {@link #launch()} is
     * {@code previous} (the workers of the previous master image, when it had an archive) or the app started cold.
     */
    public void begin(int generation, WorkerLaunch previous) {
        abandon();
        fallback = plain();
        state.clear();
        state.put("jar", config.preload());
        long start = System.nanoTime();
        try {
            launch = plan(generation, previous);
            log.info("Prepared the preload of generation {} in {} ms ({})", generation,
                    (System.nanoTime() - start) / 1_000_000, running != null ? "training run " + running.pid
                    : launch.description());
        } catch (Postload p) {
            log.info("Proceeding with postload -- {}", p.getMessage());
            launch = p.launch;
        } catch (Throwable e) { // out of memory included: never the master's end
            log.error("Proceeding with postload -- could not preload {}: {}", config.preload(), e.toString());
            abandon();
            launch = fallback;
        }
    }

    /**
     * A reaped child: true if it was the preparation's. After the training run a second, short child hashes the
     * new archive ({@code sha256sum}: the master's own JIT would take seconds for a large one); when that one
     * ends, the archive is installed. {@link #preparing()} says whether more is to come.
     */
    public boolean onExit(ExitStatus status) {
        Run r = running;
        if (r == null || status.pid() != r.pid) return false;
        running = null;
        boolean done = true;
        try {
            if (r.trained == null) {
                r.trained = trained(r, status);
                done = !startHash(r);
                if (done) launch = install(r, null);
            } else {
                launch = install(r, hashOf(r, status));
            }
        } catch (Postload p) {
            log.info("Proceeding with postload -- {}", p.getMessage());
            launch = p.launch;
        } catch (Throwable e) {
            log.error("Proceeding with postload -- could not preload {}: {}", config.preload(), e.toString());
            launch = r.trained != null ? r.trained.cold : r.cold;
        } finally {
            if (done) {
                r.cleanUp();
            } else {
                running = r;
            }
        }
        return true;
    }

    /** Stops a preparation that outlived the training timeout: SIGTERM (the JVM still writes), later SIGKILL. */
    public void tick(double now) {
        Run r = running;
        if (r == null) return;
        if (!r.termed && now >= r.deadline) {
            if (r.trained == null) {
                log.error("The training run {} is still running after {}s; stopping it (SIGTERM)", r.pid,
                        timeoutSeconds);
            } else {
                log.error("Hashing the new preload archive ({}) is still running after {}s; stopping it", r.pid,
                        TERM_GRACE_SECONDS);
            }
            posix.kill(-r.pid, Signals.number("TERM").orElseThrow());
            r.termed = true;
            r.killAt = now + TERM_GRACE_SECONDS;
        } else if (r.termed && now >= r.killAt) {
            log.error("The training run {} did not end after SIGTERM; killing it", r.pid);
            posix.kill(-r.pid, Signals.number("KILL").orElseThrow());
            r.killAt = Double.POSITIVE_INFINITY;
        }
    }

    /** When {@link #tick} next has something to do, in {@code Clock.SYSTEM} seconds. */
    public double nextWakeup() {
        Run r = running;
        if (r == null) return Double.POSITIVE_INFINITY;
        return r.termed ? r.killAt : r.deadline;
    }

    /** Kills a running preparation (the master exits or re-execs) and removes its temporary files. */
    public void abandon() {
        Run r = running;
        if (r == null) return;
        running = null;
        posix.kill(-r.pid, Signals.number("KILL").orElseThrow());
        // reaped here (SIGKILL is quick), so that neither this image nor the next one meets an unknown child
        for (int i = 0; i < 200 && posix.reap(r.pid).isEmpty(); i++) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        r.cleanUp();
        if (r.trained == null) {
            log.info("Abandoned the preload training run {}", r.pid);
        } else { // the training run is over: r.pid is now the hashing child's (startHash)
            log.info("Abandoned the hashing of the new preload archive ({})", r.pid);
        }
    }

    /** A failure after which the workers start as {@code launch} says. */
    static final class Postload extends Exception {
        final WorkerLaunch launch;

        Postload(String message, WorkerLaunch launch) {
            super(message);
            this.launch = launch;
        }
    }

    private WorkerLaunch plain() {
        return WorkerLaunch.plain(config.command(), "the command as given (not preloaded)");
    }

    /** One generation's preparation child and what to do with its output. */
    private final class Run {
        int pid;
        final int generation;
        final long startNanos = System.nanoTime();
        double deadline;
        /** What the training run found, once it ended well; then {@link #pid} is the hashing child's. */
        Trained trained;
        boolean termed;
        double killAt = Double.POSITIVE_INFINITY;
        final Path tmp;
        final Path result;
        final Path archive;
        final Path logFile;
        final Path appCp;
        final Jdk jdk;
        final List<String> flags;
        final List<String> appArgs;
        final Map<String, String> extraEnv;
        final WorkerLaunch cold;
        final String name;
        final AppJar app;
        final String appId;
        final ArchiveCache cache;

        Run(int pid, int generation, Path tmp, Path result, Path archive, Path appCp, Jdk jdk, List<String> flags,
                List<String> appArgs, Map<String, String> extraEnv, WorkerLaunch cold, String name, AppJar app,
                String appId, ArchiveCache cache) {
            this.pid = pid;
            this.generation = generation;
            this.deadline = dev.einhorn.pool.Clock.SYSTEM.now() + timeoutSeconds;
            this.tmp = tmp;
            this.result = result;
            this.archive = archive;
            this.logFile = ArchiveCache.logFile(archive);
            this.appCp = appCp;
            this.jdk = jdk;
            this.flags = flags;
            this.appArgs = appArgs;
            this.extraEnv = extraEnv;
            this.cold = cold;
            this.name = name;
            this.app = app;
            this.appId = appId;
            this.cache = cache;
        }

        Path shaFile() {
            return tmp.resolveSibling(tmp.getFileName() + ".sha256");
        }

        void cleanUp() {
            deleteQuietly(tmp);
            deleteQuietly(result);
            deleteQuietly(shaFile());
            deleteQuietly(tmp.resolveSibling(tmp.getFileName() + ".config")); // JDK 25's training output
        }
    }

    private WorkerLaunch plan(int generation, WorkerLaunch previous) throws Postload, IOException {
        String pre = config.preload();
        Path jarPath = Path.of(pre).toAbsolutePath().normalize();
        String name = jarPath.getFileName().toString();
        if (!Files.isRegularFile(jarPath)) throw new Postload("could not load " + pre + ": no such file", plain());
        if (!isZip(jarPath)) {
            throw new Postload("could not load " + pre + ": not a jar (a JVM preload needs one); running the "
                    + "command as given", plain());
        }
        Optional<JavaCommand> parsed = JavaCommand.parse(config.command());
        if (parsed.isEmpty()) {
            throw new Postload("could not load " + pre + ": the command is neither '" + pre + " ARGS...' nor "
                    + "'java [JVM options] -jar " + pre + " ARGS...'", plain());
        }
        JavaCommand cmd = parsed.get();
        Path cmdJar = cmd.jar().toAbsolutePath().normalize();
        if (!sameFile(cmdJar, jarPath)) {
            throw new Postload("could not load " + pre + ": the command runs " + cmd.jar() + ", not " + pre, plain());
        }
        String javaPath = javaFor(cmd);
        WorkerLaunch plainJava = WorkerLaunch.plain(cmd.coldCommand(javaPath), "java -jar (not preloaded)");
        fallback = plainJava;
        Jdk jdk;
        try {
            jdk = Jdk.of(Path.of(javaPath));
        } catch (IOException e) {
            throw new Postload("could not load " + pre + ": cannot tell the JDK of " + javaPath + ": " + e.getMessage(),
                    plainJava);
        }
        state.put("jdk", jdk.version());
        if (jdk.feature() < 17) {
            throw new Postload("could not load " + pre + ": " + jdk.java() + " is JDK " + jdk.feature()
                    + "; preloading needs 17 or later", plainJava);
        }
        AppJar app;
        try {
            app = AppJar.read(jarPath);
        } catch (IOException | RuntimeException e) {
            throw new Postload("could not load " + pre + ": " + e.getMessage(), plainJava);
        }
        state.put("layout", app.layout());
        if (app.springBoot() && !app.bundlesEinhorn()) {
            log.warn("{} bundles neither einhorn-spring-boot-starter nor preload-runtime (BOOT-INF/lib): its workers "
                    + "will bind server.port themselves instead of einhorn's sockets and never ACK; add the dependency "
                    + "dev.einhorn:einhorn-spring-boot-starter (docs/SPRING-BOOT.md)", name);
        }
        Path runtime = runtimeJar();

        // The workers' command and the training run's share every flag and the class path.
        List<String> flags = new ArrayList<>(cmd.jvmOptions());
        flags.addAll(List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0", "--add-opens", OPENS));
        Map<String, String> extraEnv = new LinkedHashMap<>();
        // Workers handle the graceful signal (USR2): move HotSpot's suspend/resume signal off it (docs/PRELOAD.md).
        if (!env.containsKey("_JAVA_SR_SIGNUM")) extraEnv.put("_JAVA_SR_SIGNUM", "40");
        // Without an archive (a failed or running preparation), a plain jar runs its Main-Class with the runtime on
        // the class path, as a preloaded worker would, rather than java -jar: a jar built against preload-runtime
        // without bundling it (all that -p needs) would fail at its first call into it under java -jar, and every
        // replacement with it.
        if (!app.springBoot() && app.mainClass() != null) {
            plainJava = cold(jdk, flags, List.of(runtime.toString(), jarPath.toString()), cmd.appArgs(), extraEnv,
                    app.mainClass(), "main");
            fallback = plainJava;
        }

        ArchiveCache cache = new ArchiveCache(cacheDir());
        String appId = ArchiveCache.appId(jarPath);
        List<String> keyFlags = new ArrayList<>(flags);
        for (String v : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS")) {
            if (env.containsKey(v)) keyFlags.add(v + "=" + env.get(v));
        }
        keyFlags.add("layout=" + app.layout());
        Path archive;
        try {
            Files.createDirectories(cache.dir());
            List<Path> keyed = new ArrayList<>(List.of(runtime, jarPath));
            app.manifestClassPath().stream().filter(p -> !keyed.contains(p)).forEach(keyed::add);
            String key = cache.key(keyed, jdk, keyFlags);
            archive = cache.dir().toRealPath().resolve(cache.archive(appId, key, jdk).getFileName());
        } catch (IOException e) {
            throw new Postload("could not build the preload archive for " + pre + ": cache directory " + cache.dir()
                    + ": " + e, plainJava);
        }
        Path bootDir = ArchiveCache.bootDir(archive);
        Path appCp = app.springBoot() ? bootDir.resolve("app.jar") : jarPath;
        List<String> classPath = List.of(runtime.toString(), appCp.toString());

        if (Files.exists(archive)) {
            Optional<String> bad = ArchiveCache.check(archive);
            // found bad: deleted, unless another master installed a good one since (checked again under the lock)
            if (bad.isPresent() && !ArchiveCache.discard(archive)) bad = ArchiveCache.check(archive);
            if (bad.isEmpty() && !Files.isRegularFile(appCp)) {
                bad = Optional.of("its extracted jar " + appCp + " is gone");
                ArchiveCache.delete(archive);
            }
            if (bad.isEmpty()) {
                Properties meta = ArchiveCache.meta(archive);
                ArchiveCache.touch(archive);
                record(archive, meta);
                log.info("Reusing the preload archive {} ({}) for {} (generation {}, JDK {}): no training run, "
                        + "the workers enter {}.{}", archive, megabytes(archive), name, generation, jdk.feature(),
                        meta.getProperty("entry"), meta.getProperty("method"));
                prune(cache, appId);
                return launch(jdk, archive, flags, classPath, cmd.appArgs(), extraEnv, meta.getProperty("entry"),
                        meta.getProperty("method"));
            }
            log.error("Discarding the corrupt preload archive {}: {}; building a new one", archive, bad.get());
        }

        // A cache that can be read but not written (a read-only mount, another user's directory) still serves
        // archives built earlier (above); a training run there could not even open its log.
        if (!Files.isWritable(cache.dir())) {
            throw new Postload("could not build the preload archive for " + pre + ": the preload cache " + cache.dir()
                    + " is not writable (a read-only file system, or not this user's); give --preload-cache a "
                    + "writable directory", plainJava);
        }
        log.info("Preloading {}: building the {} for generation {} (JDK {})...", name,
                jdk.aotCache() ? "AOT cache" : "AppCDS archive", generation, jdk.feature());
        String suffix = ".tmp" + ProcessHandle.current().pid() + "-" + generation;
        Path tmp = archive.resolveSibling(archive.getFileName() + suffix);
        Path result = archive.resolveSibling(archive.getFileName() + suffix + ".result");
        int pid = startPreparation(jdk, runtime, app, bootDir, flags, classPath, cmd.appArgs(), tmp, result,
                ArchiveCache.logFile(archive));
        running = new Run(pid, generation, tmp, result, archive, appCp, jdk, flags, cmd.appArgs(), extraEnv,
                plainJava, name, app, appId, cache);
        if (previous != null && previous.preloaded()) return previous;
        return plainJava;
    }

    /**
     * The preparation child: {@code sh} (its output to the training log) extracts a Spring Boot jar into the cache
     * when needed (Spring's own {@code -Djarmode=tools extract}, else {@link BootJarExtract}; built under a
     * temporary name and renamed, so concurrent masters end with one complete copy), then execs the training JVM.
     */
    private int startPreparation(Jdk jdk, Path runtime, AppJar app, Path bootDir, List<String> flags,
            List<String> classPath, List<String> appArgs, Path out, Path result, Path logFile) throws Postload {
        List<String> java = new ArrayList<>();
        java.add(jdk.java().toString());
        java.addAll(flags);
        java.add(jdk.aotCache() ? "-XX:AOTCacheOutput=" + out : "-XX:ArchiveClassesAtExit=" + out);
        java.addAll(List.of("-cp", String.join(File.pathSeparator, classPath), Training.class.getName(),
                result.toString(), app.layout(), classPath.get(1)));
        java.addAll(appArgs);
        String script = """
                log=$1 extract=$2 fat=$3 dest=$4 java=$5 runtime=$6; shift 6
                exec >"$log" 2>&1
                if [ "$extract" = yes ] && [ ! -f "$dest/app.jar" ]; then
                  tmp="$dest.tmp$$"
                  rm -rf "$tmp"
                  echo "einhorn: extracting $fat into $dest"
                  if "$java" -Djarmode=tools -jar "$fat" extract --destination "$tmp" && [ -d "$tmp/lib" ]; then
                    for j in "$tmp"/*.jar; do [ "$j" = "$tmp/app.jar" ] || mv "$j" "$tmp/app.jar"; done
                  else
                    echo "einhorn: Spring Boot's jarmode tools did not extract $fat; extracting BOOT-INF ourselves"
                    rm -rf "$tmp"
                    "$java" -cp "$runtime" %s "$fat" "$tmp" || { rm -rf "$tmp"; exit %d; }
                  fi
                  mv -T "$tmp" "$dest" 2>/dev/null || rm -rf "$tmp"
                fi
                exec "$@"
                """.formatted(BootJarExtract.class.getName(), EXTRACT_FAILED);
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", script, "sh", logFile.toString(),
                app.springBoot() ? "yes" : "no", app.jar().toString(), bootDir.toString(), jdk.java().toString(),
                runtime.toString()));
        argv.addAll(java);
        log.debug("Training run: {}", java);
        Map<String, String> childEnv = dev.einhorn.config.OwnedVariables.passedOn(env); // as a worker's
        childEnv.putIfAbsent("_JAVA_SR_SIGNUM", "40");
        try {
            return posix.spawn(new SpawnRequest(argv.get(0), argv, childEnv, List.of()));
        } catch (PosixException e) {
            WorkerLaunch plainJava = fallback;
            throw new Postload("could not build the preload archive for " + config.preload()
                    + ": could not start the training run: " + e.getMessage(), plainJava);
        }
    }

    /** The preparation child ended: read what training found, install the archive, say how workers start. */
    /** What a successful training run found: the entry point and the class counts. */
    private record Trained(String entry, String method, int loaded, int failed, List<String> classPath,
            WorkerLaunch cold) {
    }

    /** The training run ended: whether its archive can be used, and what it found. */
    private Trained trained(Run r, ExitStatus status) throws Postload, IOException {
        String pre = config.preload();
        String logHint = " (training log: " + r.logFile + ")";
        if (status.exitCode() == EXTRACT_FAILED && !status.killedBySignal()) {
            throw new Postload("could not build the preload archive for " + pre + ": could not extract the Spring "
                    + "Boot jar" + lastLine(r.logFile) + logHint, r.cold);
        }
        Properties found = new Properties();
        if (Files.isRegularFile(r.result)) {
            found.load(new java.io.StringReader(CacheFiles.readSmall(r.result, CacheFiles.SMALL)));
        } else {
            throw new Postload("could not build the preload archive for " + pre + ": the training run ("
                    + describe(status) + ") ended before it found the entry point" + lastLine(r.logFile) + logHint,
                    r.cold);
        }
        int loaded = Integer.parseInt(found.getProperty("classes_loaded", "0"));
        int failed = Integer.parseInt(found.getProperty("classes_failed", "0"));
        state.put("classes_archived", loaded);
        state.put("classes_failed", failed);
        String entry = found.getProperty("entry");
        String method = found.getProperty("method", Training.ENTRY_METHOD);
        if (entry == null) {
            throw new Postload("loaded " + pre + ", but " + found.getProperty("no_entry", "it has no entry point"),
                    r.cold);
        }
        List<String> classPath = List.of(runtimeJar().toString(), r.appCp.toString());
        WorkerLaunch coldEntry = cold(r.jdk, r.flags, classPath, r.appArgs, r.extraEnv, entry, method);
        boolean wrote = Files.isRegularFile(r.tmp) && Files.size(r.tmp) > 0;
        if (!wrote) {
            throw new Postload("could not build the preload archive for " + pre + ": the training run ("
                    + describe(status) + ") wrote no archive" + lastLine(r.logFile) + logHint, coldEntry);
        }
        if (r.termed) {
            log.info("The training run stopped at its timeout ({}) and wrote the archive; using it", describe(status));
        } else if (status.exitCode() != 0 || status.killedBySignal()) {
            // JDK 17 writes the archive even on Runtime.halt: the app's hook failed, so do not trust it.
            throw new Postload("could not build the preload archive for " + pre + ": the training run failed ("
                    + describe(status) + ")" + lastLine(r.logFile) + logHint, coldEntry);
        }
        if (r.app.springBoot() && "main".equals(method)) {
            log.info("Successfully loaded {}: the workers run its Spring Boot Start-Class {}.main", pre, entry);
        } else if ("main".equals(method) && found.getProperty("no_entry") != null) {
            log.info("Proceeding with postload -- loaded {}, but {}: the workers run its Main-Class {} "
                    + "(from the archive)", pre, found.getProperty("no_entry"), entry);
        } else {
            log.info("Successfully loaded {}: the workers enter {}.{}", pre, entry, method);
        }
        return new Trained(entry, method, loaded, failed, classPath, coldEntry);
    }

    /** Starts {@code sha256sum} on the new archive as the preparation's next child; false when it cannot. */
    private boolean startHash(Run r) {
        List<String> argv = List.of("/bin/sh", "-c", "exec sha256sum \"$1\" >\"$2\"", "sh", r.tmp.toString(),
                r.shaFile().toString());
        try {
            r.pid = posix.spawn(new SpawnRequest(argv.get(0), argv, env, List.of()));
            r.deadline = dev.einhorn.pool.Clock.SYSTEM.now() + TERM_GRACE_SECONDS;
            r.termed = false;
            return true;
        } catch (PosixException | RuntimeException e) {
            log.debug("Could not start sha256sum ({}); hashing the archive in the master", e.toString());
            return false;
        }
    }

    /** The hashing child's answer, or null (then the master hashes). */
    private static String hashOf(Run r, ExitStatus status) {
        if (status.exitCode() != 0 || status.killedBySignal()) return null;
        try {
            String[] words = CacheFiles.readSmall(r.shaFile(), CacheFiles.SMALL).trim().split("\\s+");
            return words.length > 0 && words[0].matches("[0-9a-f]{64}") ? words[0] : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Installs the new archive with what training found; {@code sha} null: hash it here. */
    private WorkerLaunch install(Run r, String sha) throws IOException {
        Trained t = r.trained;
        String entry = t.entry();
        String method = t.method();
        int loaded = t.loaded();
        int failed = t.failed();
        List<String> classPath = t.classPath();
        String logHint = " (training log: " + r.logFile + ")";
        double seconds = (System.nanoTime() - r.startNanos) / 1e9;
        state.put("training_s", Math.round(seconds * 10) / 10.0);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("entry", entry);
        meta.put("method", method);
        meta.put("layout", r.app.layout());
        meta.put("classes_archived", Integer.toString(loaded));
        meta.put("classes_failed", Integer.toString(failed));
        meta.put("training_s", String.format(Locale.ROOT, "%.1f", seconds));
        if (!ArchiveCache.install(r.tmp, r.archive, sha, meta)) {
            log.info("Another master installed the preload archive {} meanwhile; using that one", r.archive);
        }
        record(r.archive, ArchiveCache.meta(r.archive));
        String counts = loaded + " classes archived, " + failed + " failed to load";
        if (failed > loaded) {
            log.warn("Built a preload archive of {} in {}s that holds few of its classes: {}; {}: {} ({}). Workers "
                    + "start from it, but gain little{}", r.name, String.format(Locale.ROOT, "%.1f", seconds), counts,
                    "most classes of the jar did not load on its class path", r.archive, megabytes(r.archive), logHint);
        } else {
            log.info("Preloaded {} in {}s: {} ({}), {}", r.name, String.format(Locale.ROOT, "%.1f", seconds),
                    r.archive, megabytes(r.archive), counts);
        }
        prune(r.cache, r.appId);
        return launch(r.jdk, r.archive, r.flags, classPath, r.appArgs, r.extraEnv, entry, method);
    }

    private void record(Path archive, Properties meta) {
        state.put("archive", archive.toString());
        for (String k : List.of("classes_archived", "classes_failed")) {
            String v = meta.getProperty(k);
            if (v != null) state.put(k, Integer.parseInt(v));
        }
        String t = meta.getProperty("training_s");
        if (t != null) state.put("training_s", Double.parseDouble(t));
    }

    private static List<String> tail(List<String> classPath, String entry, String method, List<String> appArgs) {
        List<String> tail = new ArrayList<>(List.of("-cp", String.join(File.pathSeparator, classPath),
                Bootstrap.class.getName(), entry, method));
        tail.addAll(appArgs);
        return tail;
    }

    private static WorkerLaunch cold(Jdk jdk, List<String> flags, List<String> classPath, List<String> appArgs,
            Map<String, String> extraEnv, String entry, String method) {
        List<String> argv = new ArrayList<>();
        argv.add(jdk.java().toString());
        argv.addAll(flags);
        argv.addAll(tail(classPath, entry, method, appArgs));
        return new WorkerLaunch(argv, extraEnv, Optional.empty(), false, entry + "." + method + " without an archive");
    }

    private static WorkerLaunch launch(Jdk jdk, Path archive, List<String> flags, List<String> classPath,
            List<String> appArgs, Map<String, String> extraEnv, String entry, String method) {
        List<String> argv = new ArrayList<>();
        argv.add(jdk.java().toString());
        argv.addAll(flags);
        argv.add(jdk.aotCache() ? "-XX:AOTCache=" + archive : "-XX:SharedArchiveFile=" + archive);
        argv.addAll(tail(classPath, entry, method, appArgs));
        return new WorkerLaunch(argv, extraEnv, Optional.of(archive), true,
                entry + "." + method + " from the " + jdk.archiveKind() + " " + archive);
    }

    private void prune(ArchiveCache cache, String app) {
        for (Path p : cache.prune(app, ArchiveCache.KEEP_PER_APP)) log.info("Pruned the stale preload archive {}", p);
    }

    private static String describe(ExitStatus s) {
        if (s.killedBySignal()) return "killed by SIG" + Signals.name(s.signal());
        if (s.exitCode() == ExitStatus.UNKNOWN) return "exit status unknown";
        return "exit status " + s.exitCode();
    }

    private static String lastLine(Path logFile) {
        String last = CacheFiles.lastLine(logFile); // its tail only: a training run may log hundreds of MB
        return last.isEmpty() ? "" : ": " + last;
    }

    /** --java, else the command's java if it names a path, else $JAVA_HOME/bin/java, else java on PATH. */
    String javaFor(JavaCommand cmd) throws Postload {
        if (config.java() != null) {
            String given = config.java().toString();
            if (given.contains("/")) return config.java().toAbsolutePath().toString();
            // a bare name (--java java) is a program name, found on PATH like the command's own
            return onPath(given).orElseThrow(() -> new Postload("could not load " + config.preload() + ": --java "
                    + given + " is not an executable on PATH", plain()));
        }
        if (cmd.java() != null && cmd.java().contains("/")) return Path.of(cmd.java()).toAbsolutePath().toString();
        String home = env.get("JAVA_HOME");
        if (home != null && !home.isBlank() && Files.isExecutable(Path.of(home, "bin", "java"))) {
            return Path.of(home, "bin", "java").toString();
        }
        return onPath("java").orElseThrow(() -> new Postload("could not load " + config.preload()
                + ": no java found (use --java or JAVA_HOME)", plain()));
    }

    private Optional<String> onPath(String name) {
        String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate.toAbsolutePath().toString());
            }
        }
        return Optional.empty();
    }

    Path cacheDir() {
        return config.preloadCache() != null ? config.preloadCache().toAbsolutePath() : ArchiveCache.defaultDir(env);
    }

    /** The preload-runtime jar (Bootstrap, Training, the worker API), first on every preloaded worker's class path. */
    static Path runtimeJar() {
        try {
            return Path.of(Bootstrap.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException | RuntimeException e) {
            throw new IllegalStateException("cannot locate the preload-runtime jar: " + e, e);
        }
    }

    private static boolean isZip(Path p) {
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(p.toFile())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return a.equals(b);
        }
    }

    private static String megabytes(Path p) {
        try {
            return String.format(Locale.ROOT, "%.1f MB", Files.size(p) / 1e6);
        } catch (IOException e) {
            return "? MB";
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
