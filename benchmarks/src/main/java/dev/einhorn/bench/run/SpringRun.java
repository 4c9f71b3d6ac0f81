package dev.einhorn.bench.run;

import dev.einhorn.bench.BenchJson;
import dev.einhorn.bench.Machine;
import dev.einhorn.bench.Stats;
import dev.einhorn.bench.Variants;
import dev.einhorn.bench.process.EinhornProcess;
import dev.einhorn.bench.process.ProcFs;
import dev.einhorn.bench.process.Quiet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Spring Boot sample ({@code sample-app/spring-hello}, Tomcat, the einhorn starter, manual ACK) through the real
 * master, JDK 17 (AppCDS) and JDK 25 (AOT cache), in one run:
 * <ol>
 *   <li><b>first start</b>: a master with {@code -p} and an empty preload cache, from its start to the first
 *       worker's ACK (extraction and training included), and the master's {@code state --json} preload object;
 *       that master then stays as the cold preloaded variant;</li>
 *   <li><b>ack</b>: idle masters ({@code -n 1}); each round one shot of every variant in a shuffled order (as
 *       {@link StartupRun}): plain {@code java -jar} and {@code -p --standby 0} get {@code inc}, and the master's
 *       spawn-to-ACK of the new worker is read; a standby variant ({@code -p --standby 1}) gets its only worker
 *       SIGKILLed, and the master's activation-to-ACK of the standby that replaces it is read;</li>
 *   <li><b>master start</b>: in the first rounds, a fresh master per JDK with and without {@code -p} (cache hit,
 *       {@code --standby 0}): from starting {@code bin/einhorn} to its {@code ===> Launched} line (client clock,
 *       the log polled every millisecond by a thread started before the master), then, after the worker's ACK and
 *       a settle, the master's PSS.</li>
 * </ol>
 * The run stops starting rounds once {@code budget_s} has passed, and records how many it took; the machine's load
 * average is sampled every round.
 */
public final class SpringRun {
    static final Pattern LAUNCHED = Pattern.compile("===> Launched (\\d+) \\(index");
    static final Pattern PREPARED = Pattern.compile("Prepared the preload of generation \\d+ in (\\d+) ms");
    static final String CACHE_HIT = "Reusing the preload archive";
    public static final List<String> JDKS = List.of("17", "25");
    /** Before each worker shot, at most this long waiting for the run's processes to go idle ({@link Quiet}). */
    public static final long QUIET_MAX_MS = 15_000;

    private SpringRun() {
    }

    /** The Spring Boot sample's fat jar ({@code BENCH_SPRING_JAR}). */
    static Path jar() {
        return Path.of(Variants.env("BENCH_SPRING_JAR",
                Variants.repo().resolve("sample-app/spring-hello/target/spring-hello.jar").toString()));
    }

    static Path home(String jdk) {
        return jdk.equals("17") ? Variants.jdk17() : Variants.jdk25();
    }

    static List<String> plain(String jdk) {
        List<String> a = new ArrayList<>(List.of("-m", "manual", "-b", "127.0.0.1:0", "--",
                home(jdk).resolve("bin/java").toString(), Variants.ADD_OPENS, Variants.OPENS_VALUE, "-jar",
                jar().toString()));
        return a;
    }

    static List<String> preloaded(String jdk, int standby) {
        String java = home(jdk).resolve("bin/java").toString();
        List<String> a = new ArrayList<>(List.of("-m", "manual", "-b", "127.0.0.1:0", "--standby",
                Integer.toString(standby), "-p", jar().toString(), "--java", java, "--preload-cache",
                Variants.preloadCache().resolve("spring" + jdk).toString(), "--", java, Variants.ADD_OPENS,
                Variants.OPENS_VALUE, "-jar", jar().toString()));
        return a;
    }

    /** This process's autogroup and its nice value (benchmarks/run raises it when it may), e.g. "/autogroup-88 nice -19". */
    public static String scheduling() {
        try {
            return Files.readString(Path.of("/proc/self/autogroup")).trim();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    public static void run(Path out, int rounds, int warmup, int masterRounds, long seed, boolean standbys, int budgetS)
            throws Exception {
        long started = System.nanoTime();
        Map<String, Object> result = new LinkedHashMap<>();
        Path repo = Variants.repo();
        result.put("app", Map.of("name", "spring-hello (Spring Boot, Tomcat, einhorn starter)",
                "jar", repo.relativize(jar().toAbsolutePath()).toString(),
                "jarMb", Files.size(jar()) / 1048576.0));
        result.put("nproc", Runtime.getRuntime().availableProcessors());
        List<String> loads = new ArrayList<>();
        loads.add(Machine.loadAverage());
        Map<String, String> errors = new LinkedHashMap<>();
        Map<String, EinhornProcess> masters = new LinkedHashMap<>();
        Map<String, Object> first = new LinkedHashMap<>();
        Map<String, List<StartupRun.Shot>> ack = new LinkedHashMap<>();
        Map<String, Map<String, List<Object>>> masterStart = new LinkedHashMap<>();
        int roundsDone = 0;
        List<Long> quietMs = new ArrayList<>();
        try {
            // 1. first start with an empty cache: extraction + training, then the cold preloaded master stays
            for (String jdk : JDKS) {
                deleteTree(Variants.preloadCache().resolve("spring" + jdk));
                List<String> args = new ArrayList<>(List.of("-n", "1", "-s", "0.05"));
                args.addAll(preloaded(jdk, 0));
                long t0 = System.nanoTime();
                try {
                    EinhornProcess e = EinhornProcess.start(out.resolve("spring-cold" + jdk), args, Map.of());
                    masters.put("cold" + jdk, e);
                    awaitLine(e, 0, StartupRun.ACK, Duration.ofSeconds(300));
                    double ms = (System.nanoTime() - t0) / 1e6;
                    Map<String, Object> f = new LinkedHashMap<>();
                    f.put("startToFirstAckMs", ms);
                    Map<String, Object> state = StandbyRun.jsonState(e);
                    Object preload = state.get("preload");
                    if (preload instanceof Map<?, ?> p) {
                        for (String k : List.of("layout", "classes_archived", "classes_failed", "training_s", "archive_ready")) {
                            f.put(k, p.get(k));
                        }
                        if (p.get("archive") instanceof String a && Files.exists(Path.of(a))) {
                            f.put("archiveMb", Files.size(Path.of(a)) / 1048576.0);
                            f.put("archiveKind", a.endsWith(".aot") ? "AOT cache" : "AppCDS archive");
                        }
                    }
                    first.put(jdk, f);
                    ack.put("cold" + jdk, new ArrayList<>());
                    System.err.printf("[spring] first start, JDK %s: %.0f ms to the first ACK; %s%n", jdk, ms, f);
                } catch (IOException | RuntimeException ex) {
                    errors.put("cold" + jdk, "first start failed: " + EinhornProcess.firstLine(ex));
                    System.err.println("[spring] cold" + jdk + ": " + ex.getMessage());
                }
            }
            // 2. the other idle masters
            for (String jdk : JDKS) {
                Map<String, List<String>> more = new LinkedHashMap<>();
                more.put("plain" + jdk, plain(jdk));
                if (standbys) more.put("standby" + jdk, preloaded(jdk, 1));
                for (var v : more.entrySet()) {
                    List<String> args = new ArrayList<>(List.of("-n", "1", "-s", "0.05"));
                    args.addAll(v.getValue());
                    try {
                        EinhornProcess e = EinhornProcess.start(out.resolve("spring-" + v.getKey()), args, Map.of());
                        masters.put(v.getKey(), e);
                        e.awaitAcked(1, Duration.ofSeconds(240));
                        ack.put(v.getKey(), new ArrayList<>());
                    } catch (IOException | RuntimeException ex) {
                        errors.put(v.getKey(), "master did not start: " + EinhornProcess.firstLine(ex));
                        System.err.println("[spring] " + v.getKey() + ": " + ex.getMessage());
                    }
                }
            }
            for (String jdk : JDKS) {
                masterStart.put("plain" + jdk, new LinkedHashMap<>());
                masterStart.put("preloaded" + jdk, new LinkedHashMap<>());
            }
            // 3. interleaved rounds
            Random random = new Random(seed);
            for (int r = 0; r < warmup + rounds; r++) {
                if (r > 0 && System.nanoTime() - started > TimeUnit.SECONDS.toNanos(budgetS)) {
                    System.err.printf("[spring] time budget of %d s spent: stopping after %d rounds%n", budgetS, r);
                    break;
                }
                List<String> order = new ArrayList<>(ack.keySet());
                if (r >= warmup && r - warmup < masterRounds) {
                    for (String id : masterStart.keySet()) order.add("start:" + id);
                }
                Collections.shuffle(order, random);
                for (String id : order) {
                    if (errors.containsKey(id)) continue;
                    try {
                        for (String sb : masters.keySet()) {
                            if (sb.startsWith("standby")) StandbyRun.awaitReadyStandby(masters.get(sb));
                        }
                        quietMs.add(Quiet.await(QUIET_MAX_MS));
                        if (id.startsWith("start:")) {
                            String v = id.substring(6);
                            Map<String, Object> s = masterStartShot(out.resolve("spring-start-" + v + "-" + r), v);
                            Map<String, List<Object>> m = masterStart.get(v);
                            s.forEach((k, val) -> m.computeIfAbsent(k, x -> new ArrayList<>()).add(val));
                        } else {
                            EinhornProcess e = masters.get(id);
                            StartupRun.Shot s = id.startsWith("standby") ? standbyShot(e) : StartupRun.shot(e);
                            if (r >= warmup) ack.get(id).add(s);
                        }
                    } catch (IOException | RuntimeException ex) {
                        errors.put(id, "shot failed: " + EinhornProcess.firstLine(ex));
                        System.err.println("[spring] " + id + ": " + ex.getMessage());
                    }
                }
                loads.add(Machine.loadAverage());
                roundsDone = r + 1;
                System.err.printf("[spring] round %d/%d done (load %s, %.0f s)%n", r + 1, warmup + rounds,
                        loads.get(loads.size() - 1), (System.nanoTime() - started) / 1e9);
            }
        } finally {
            for (EinhornProcess e : masters.values()) e.close();
        }
        result.put("roundsPlanned", rounds);
        result.put("warmupRounds", warmup);
        result.put("roundsMeasured", Math.max(0, roundsDone - warmup));
        result.put("masterRounds", masterRounds);
        result.put("budgetSeconds", budgetS);
        result.put("order", "interleaved: each round one shot per variant, shuffled (seed " + seed + ")");
        result.put("loadAverages", loads);
        result.put("scheduling", scheduling());
        result.put("quietWaitsMs", quietMs);
        result.put("standbysMeasured", standbys);
        result.put("firstStart", first);
        Map<String, Object> acks = new LinkedHashMap<>();
        ack.forEach((id, list) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("masterMs", list.stream().map(StartupRun.Shot::masterMs).toList());
            m.put("clientMs", list.stream().map(StartupRun.Shot::clientMs).toList());
            acks.put(id, m);
            System.err.printf("[spring] %s: median %.0f ms (n=%d)%n", id,
                    Stats.median(Stats.toArray(list.stream().map(StartupRun.Shot::masterMs).toList())), list.size());
        });
        result.put("ack", acks);
        result.put("masterStart", masterStart);
        result.put("errors", errors);
        result.put("wallSeconds", (System.nanoTime() - started) / 1e9);
        BenchJson.write(out.resolve("spring.json"), result);
    }

    /**
     * A fresh master of {@code variant} (plainNN, or preloadedNN with the cache the first start built): start to
     * its first {@code ===> Launched} line, the master's own preparation time, whether it reused the archive, and
     * its PSS once the worker has ACKed and 2 s have passed.
     */
    static Map<String, Object> masterStartShot(Path dir, String variant) throws IOException {
        String jdk = variant.substring(variant.length() - 2);
        List<String> args = new ArrayList<>(List.of("-n", "1", "-s", "0.05"));
        args.addAll(variant.startsWith("plain") ? plain(jdk) : preloaded(jdk, 0));
        deleteTree(dir);
        Files.createDirectories(dir);
        Path log = dir.resolve("einhorn.log");
        long[] launchedAt = {0};
        Thread watcher = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    if (Files.exists(log) && LAUNCHED.matcher(Files.readString(log)).find()) {
                        launchedAt[0] = System.nanoTime();
                        return;
                    }
                    Thread.sleep(1);
                } catch (IOException ignored) {
                    // not there yet
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "launch-watcher");
        watcher.setDaemon(true);
        watcher.start();
        EinhornProcess.sleep(20); // the watcher is polling before the master starts
        long t0 = System.nanoTime();
        try (EinhornProcess e = EinhornProcess.start(dir, args, Map.of())) {
            awaitLine(e, 0, StartupRun.ACK, Duration.ofSeconds(120));
            try {
                watcher.join(5000);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            if (launchedAt[0] == 0) throw new IOException("no ===> Launched line: " + e.logTail());
            EinhornProcess.sleep(2000);
            String text = Files.readString(log);
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("startToSpawnMs", (launchedAt[0] - t0) / 1e6);
            s.put("masterPssMb", ProcFs.memory(e.pid()).pssKb() / 1024.0);
            if (variant.startsWith("preloaded")) {
                Matcher m = PREPARED.matcher(text);
                s.put("preparedMs", m.find() ? Double.parseDouble(m.group(1)) : null);
                s.put("cacheHit", text.contains(CACHE_HIT));
            }
            System.err.printf("[spring] master start %s: %s%n", variant, s);
            return s;
        } finally {
            watcher.interrupt();
        }
    }

    /** SIGKILL the only worker; the master activates the standby: its activation-to-ACK, and kill to the ACK line. */
    static StartupRun.Shot standbyShot(EinhornProcess e) throws IOException {
        List<Long> before = e.awaitAcked(1, Duration.ofSeconds(60));
        StandbyRun.awaitReadyStandby(e);
        EinhornProcess.sleep(300);
        long offset = StartupRun.logLength(e);
        long t0 = System.nanoTime();
        ProcessHandle.of(before.get(0)).ifPresent(ProcessHandle::destroyForcibly);
        long pid = StartupRun.awaitAckInLog(e, offset, before);
        double clientMs = (System.nanoTime() - t0) / 1e6;
        String added = Files.readString(e.log).substring((int) Math.min(offset, Files.size(e.log)));
        if (!added.contains("Activated standby " + pid)) {
            throw new IOException("worker " + pid + " replaced the killed one without a standby activation");
        }
        return new StartupRun.Shot(StartupRun.ackLatencyMs(e, pid), clientMs);
    }

    /** Waits until the log from offset matches pattern. */
    static void awaitLine(EinhornProcess e, long offset, Pattern pattern, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String s = Files.readString(e.log);
            if (s.length() > offset && pattern.matcher(s.substring((int) offset)).find()) return;
            if (System.nanoTime() > deadline) throw new IOException("no " + pattern + " in " + timeout + ": " + e.logTail());
            if (!e.process.isAlive()) throw new IOException("einhorn exited: " + e.logTail());
            EinhornProcess.sleep(2);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }
}
