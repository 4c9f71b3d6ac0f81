package dev.einhorn.preload;

import dev.einhorn.config.Config;
import dev.einhorn.posix.ExitStatus;
import dev.einhorn.posix.JnrPosix;
import dev.einhorn.posix.Posix;
import dev.einhorn.posix.PosixException;
import dev.einhorn.posix.Signals;
import dev.einhorn.posix.SpawnRequest;
import dev.einhorn.runtime.Bootstrap;
import dev.einhorn.runtime.Training;
import java.io.File;
import java.io.IOException;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code -p app.jar}: prepares how a generation's workers start. A JVM cannot fork, so instead of Einhorn's
 * load-then-fork the master runs one training JVM per generation that loads the app's classes (and calls its
 * optional {@code einhornPreload()}) and writes a class-data archive (the AOT cache on JDK 25+, a dynamic
 * AppCDS archive on 17-24); every worker JVM then starts from that archive, mapped at its archived address so
 * its pages stay shared, and enters the app's {@code einhornMain}.
 *
 * <p>{@link #prepare()} blocks (up to the training timeout) and never throws for a problem of the app: it logs
 * Einhorn's {@code Proceeding with postload -- ...} and returns a launch that starts the workers cold. The
 * master calls it at startup and again in every re-exec'd image (reload or upgrade, on the loop thread: see
 * docs/DESIGN.md, known limitations), so an upgrade gets an archive of the jar's new contents; an unchanged jar
 * reuses the cached one.
 */
public final class Preloader {
    private static final Logger log = LoggerFactory.getLogger(Preloader.class);
    static final long DEFAULT_TIMEOUT_SECONDS = 120;
    /** After the timeout's SIGTERM the JVM still writes the archive (jvm-notes); then SIGKILL. */
    static final long TERM_GRACE_SECONDS = 60;
    static final String OPENS = "java.base/sun.nio.ch=ALL-UNNAMED";

    private final Config config;
    private final Map<String, String> env;
    private final Posix posix;
    private final long timeoutSeconds;
    private final AtomicInteger generations = new AtomicInteger();
    private final ArchiveWatch watch = new ArchiveWatch();

    public Preloader(Config config, Map<String, String> env) {
        this(config, env, new JnrPosix());
    }

    public Preloader(Config config, Map<String, String> env, Posix posix) {
        this.config = config;
        this.env = Map.copyOf(env);
        this.posix = posix;
        this.timeoutSeconds = parseTimeout(env.get("EINHORN_PRELOAD_TIMEOUT"));
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

    /** {@link #prepare(int)} for the next generation (1, 2, ...). */
    public WorkerLaunch prepare() {
        return prepare(generations.incrementAndGet());
    }

    /** Builds or reuses the archive for the jar's current contents and says how to start this generation. */
    public WorkerLaunch prepare(int generation) {
        try {
            return doPrepare(generation);
        } catch (Postload p) {
            log.info("Proceeding with postload -- {}", p.getMessage());
            return p.launch;
        } catch (RuntimeException | Error e) {
            log.error("Proceeding with postload -- could not preload {}: {}", config.preload(), e.toString());
            return plain();
        }
    }

    /** A failure after which the workers start as {@code launch} says. */
    private static final class Postload extends Exception {
        final WorkerLaunch launch;

        Postload(String message, WorkerLaunch launch) {
            super(message);
            this.launch = launch;
        }
    }

    private WorkerLaunch plain() {
        return WorkerLaunch.plain(config.command(), "the command as given (not preloaded)");
    }

    private WorkerLaunch doPrepare(int generation) throws Postload {
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
        Jdk jdk;
        try {
            jdk = Jdk.of(Path.of(javaPath));
        } catch (IOException e) {
            throw new Postload("could not load " + pre + ": cannot tell the JDK of " + javaPath + ": " + e.getMessage(),
                    plainJava);
        }
        if (jdk.feature() < 17) {
            throw new Postload("could not load " + pre + ": " + jdk.java() + " is JDK " + jdk.feature()
                    + "; preloading needs 17 or later", plainJava);
        }
        Path runtime = runtimeJar();
        AppScan scan;
        long scanStart = System.nanoTime();
        try {
            scan = AppScan.of(jarPath, List.of(runtime));
        } catch (IOException | RuntimeException e) {
            throw new Postload("could not load " + pre + ": " + e.getMessage(), plainJava);
        }
        log.debug("Scanned {} in {} ms: {} classes, einhornMain in {}", name, millis(scanStart),
                scan.classNames().size(), scan.einhornMains());

        // Entry point: einhornMain (Einhorn-Main, or the one class that declares it), else Main-Class.
        String entry = null;
        String method = AppScan.ENTRY_METHOD;
        String noEntry;
        if (scan.einhornMainAttribute() != null && scan.einhornMains().contains(scan.einhornMainAttribute())) {
            entry = scan.einhornMainAttribute();
            noEntry = null;
        } else if (scan.einhornMainAttribute() != null) {
            noEntry = "its manifest names " + AppScan.MANIFEST_ATTRIBUTE + ": " + scan.einhornMainAttribute()
                    + ", which has no public static void einhornMain(String[])";
        } else if (scan.einhornMains().size() == 1) {
            entry = scan.einhornMains().get(0);
            noEntry = null;
        } else if (scan.einhornMains().size() > 1) {
            noEntry = "einhornMain is defined in several classes (" + String.join(", ", scan.einhornMains())
                    + "); name one with the manifest attribute " + AppScan.MANIFEST_ATTRIBUTE;
        } else {
            noEntry = "no einhornMain method was defined";
        }
        if (entry == null) {
            if (scan.mainClass() == null) {
                throw new Postload("loaded " + pre + ", but " + noEntry + ", and it has no Main-Class", plainJava);
            }
            if (!scan.classNames().contains(scan.mainClass())) {
                throw new Postload("loaded " + pre + ", but " + noEntry + ", and its Main-Class " + scan.mainClass()
                        + " is not in it", plainJava);
            }
            entry = scan.mainClass();
            method = "main";
            log.info("Proceeding with postload -- loaded {}, but {}: the workers run its Main-Class {} "
                    + "(from the archive)", pre, noEntry, entry);
        } else {
            log.info("Successfully loaded {}: the workers enter {}.einhornMain", pre, entry);
        }

        // The workers' command and the training run's share every flag and the class path.
        List<String> flags = new ArrayList<>(cmd.jvmOptions());
        flags.addAll(List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0", "--add-opens", OPENS));
        List<Path> classPath = new ArrayList<>(List.of(runtime, jarPath));
        String cp = classPath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
        List<String> tail = new ArrayList<>(List.of("-cp", cp, Bootstrap.class.getName(), entry, method));
        tail.addAll(cmd.appArgs());
        Map<String, String> extraEnv = new LinkedHashMap<>();
        // Workers handle the graceful signal (USR2): move HotSpot's suspend/resume signal off it (jvm-notes).
        if (!env.containsKey("_JAVA_SR_SIGNUM")) extraEnv.put("_JAVA_SR_SIGNUM", "40");
        List<String> coldArgv = new ArrayList<>();
        coldArgv.add(jdk.java().toString());
        coldArgv.addAll(flags);
        coldArgv.addAll(tail);
        WorkerLaunch cold = new WorkerLaunch(coldArgv, extraEnv, Optional.empty(), false,
                entry + "." + method + " without an archive");

        ArchiveCache cache = new ArchiveCache(cacheDir());
        String app = name.replaceAll("\\.jar$", "").replaceAll("[^A-Za-z0-9_.]", "_");
        List<String> keyFlags = new ArrayList<>(flags);
        for (String v : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS")) {
            if (env.containsKey(v)) keyFlags.add(v + "=" + env.get(v));
        }
        keyFlags.add("entry=" + entry);
        Path archive;
        try {
            Files.createDirectories(cache.dir());
            List<Path> keyed = new ArrayList<>(classPath);
            scan.classPath().stream().filter(p -> !keyed.contains(p)).forEach(keyed::add);
            archive = cache.archive(app, ArchiveCache.key(keyed, jdk, keyFlags), jdk).toAbsolutePath();
            archive = cache.dir().toRealPath().resolve(archive.getFileName());
        } catch (IOException e) {
            throw new Postload("could not build the preload archive for " + pre + ": cache directory " + cache.dir()
                    + ": " + e, cold);
        }

        if (Files.exists(archive)) {
            Optional<String> bad = ArchiveCache.verify(archive);
            if (bad.isEmpty()) {
                ArchiveCache.touch(archive);
                log.info("Reusing the preload archive {} ({}) for {} (generation {}, JDK {})", archive,
                        megabytes(archive), name, generation, jdk.feature());
                prune(cache, app);
                return launch(jdk, archive, flags, tail, extraEnv, entry, method);
            }
            log.error("Discarding the corrupt preload archive {}: {}; building a new one", archive, bad.get());
            ArchiveCache.delete(archive);
        }

        log.info("Preloading {}: building the {} for generation {} (JDK {})...", name,
                jdk.aotCache() ? "AOT cache" : "AppCDS archive", generation, jdk.feature());
        long start = System.nanoTime();
        Path tmp = archive.resolveSibling(archive.getFileName() + ".tmp" + ProcessHandle.current().pid());
        try {
            train(jdk, flags, cp, scan.classNames(), entry, tmp, ArchiveCache.logFile(archive));
            ArchiveCache.install(tmp, archive);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            deleteQuietly(tmp.resolveSibling(tmp.getFileName() + ".config"));
            throw new Postload("could not build the preload archive for " + pre + ": " + e.getMessage()
                    + " (training log: " + ArchiveCache.logFile(archive) + ")", cold);
        }
        log.info("Preloaded {} in {}s: {} ({})", name, String.format(Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9),
                archive, megabytes(archive));
        prune(cache, app);
        return launch(jdk, archive, flags, tail, extraEnv, entry, method);
    }

    private static WorkerLaunch launch(Jdk jdk, Path archive, List<String> flags, List<String> tail,
            Map<String, String> extraEnv, String entry, String method) {
        List<String> argv = new ArrayList<>();
        argv.add(jdk.java().toString());
        argv.addAll(flags);
        argv.add(jdk.aotCache() ? "-XX:AOTCache=" + archive : "-XX:SharedArchiveFile=" + archive);
        argv.addAll(tail);
        return new WorkerLaunch(argv, extraEnv, Optional.of(archive), true,
                entry + "." + method + " from the " + jdk.archiveKind() + " " + archive);
    }

    private void prune(ArchiveCache cache, String app) {
        for (Path p : cache.prune(app, ArchiveCache.KEEP_PER_APP)) log.info("Pruned the stale preload archive {}", p);
    }

    /** One training run: the workers' flags and class path, the archive output flag, {@link Training} as main. */
    private void train(Jdk jdk, List<String> flags, String cp, List<String> classNames, String entry, Path out,
            Path logFile) throws IOException {
        Path classList = out.resolveSibling(out.getFileName() + ".classes");
        Files.write(classList, classNames, StandardCharsets.UTF_8);
        try {
            List<String> java = new ArrayList<>();
            java.add(jdk.java().toString());
            java.addAll(flags);
            java.add(jdk.aotCache() ? "-XX:AOTCacheOutput=" + out : "-XX:ArchiveClassesAtExit=" + out);
            java.addAll(List.of("-cp", cp, Training.class.getName(), classList.toString(), entry));
            // Through sh, only to send the JVM's output (archive warnings, the app's prints) to the log file.
            List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", "log=$1; shift; exec \"$@\" >\"$log\" 2>&1",
                    "sh", logFile.toString()));
            argv.addAll(java);
            log.debug("Training run: {}", java);
            Map<String, String> childEnv = dev.einhorn.config.OwnedVariables.passedOn(env); // as a worker's
            childEnv.putIfAbsent("_JAVA_SR_SIGNUM", "40");
            int pid;
            try {
                pid = posix.spawn(new SpawnRequest(argv.get(0), argv, childEnv, List.of()));
            } catch (PosixException e) {
                throw new IOException("could not start the training run: " + e.getMessage(), e);
            }
            boolean[] stopped = new boolean[1];
            ExitStatus status = await(pid, stopped);
            boolean wrote = Files.isRegularFile(out) && Files.size(out) > 0;
            if (!wrote) {
                throw new IOException("the training run (" + describe(status) + ") wrote no archive" + lastLine(logFile));
            }
            if (stopped[0]) {
                log.info("The training run stopped at its timeout ({}) and wrote the archive; using it", describe(status));
            } else if (status.exitCode() != 0 || status.killedBySignal()) {
                // JDK 17 writes the archive even on Runtime.halt: the app's hook failed, so do not trust it.
                throw new IOException("the training run failed (" + describe(status) + ")" + lastLine(logFile));
            }
        } finally {
            deleteQuietly(classList);
        }
    }

    private ExitStatus await(int pid, boolean[] stopped) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        boolean termed = false;
        long killAt = Long.MAX_VALUE;
        while (true) {
            Optional<ExitStatus> s = posix.reap(pid);
            if (s.isPresent()) return s.get();
            long now = System.nanoTime();
            if (!termed && now > deadline) {
                log.error("The training run {} is still running after {}s; stopping it (SIGTERM)", pid, timeoutSeconds);
                posix.kill(-pid, Signals.number("TERM").orElseThrow());
                termed = true;
                stopped[0] = true;
                killAt = now + TimeUnit.SECONDS.toNanos(TERM_GRACE_SECONDS);
            } else if (termed && now > killAt) {
                posix.kill(-pid, Signals.number("KILL").orElseThrow());
                killAt = Long.MAX_VALUE;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                posix.kill(-pid, Signals.number("KILL").orElseThrow());
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while training");
            }
        }
    }

    private static String describe(ExitStatus s) {
        if (s.killedBySignal()) return "killed by SIG" + Signals.name(s.signal());
        if (s.exitCode() == ExitStatus.UNKNOWN) return "exit status unknown";
        return "exit status " + s.exitCode();
    }

    private static String lastLine(Path logFile) {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank()) return ": " + lines.get(i).trim();
            }
        } catch (IOException | RuntimeException ignored) {
            // no log
        }
        return "";
    }

    /** --java, else the command's java if it names a path, else $JAVA_HOME/bin/java, else java on PATH. */
    String javaFor(JavaCommand cmd) throws Postload {
        if (config.java() != null) return config.java().toAbsolutePath().toString();
        if (cmd.java() != null && cmd.java().contains("/")) return Path.of(cmd.java()).toAbsolutePath().toString();
        String home = env.get("JAVA_HOME");
        if (home != null && !home.isBlank() && Files.isExecutable(Path.of(home, "bin", "java"))) {
            return Path.of(home, "bin", "java").toString();
        }
        String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "java");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return candidate.toAbsolutePath().toString();
        }
        throw new Postload("could not load " + config.preload() + ": no java found (use --java or JAVA_HOME)", plain());
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

    private static long millis(long start) {
        return (System.nanoTime() - start) / 1_000_000;
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
