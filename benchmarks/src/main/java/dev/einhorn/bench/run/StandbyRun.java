package dev.einhorn.bench.run;

import dev.einhorn.bench.BenchJson;
import dev.einhorn.bench.Machine;
import dev.einhorn.bench.Stats;
import dev.einhorn.bench.Variants;
import dev.einhorn.bench.process.EinhornProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Warm standbys ({@code --standby}, docs/PRELOAD.md): what an activated standby gains over starting a JVM, through
 * the real master, interleaved like {@link StartupRun} (one master per variant, each round one shot of every
 * variant in a shuffled order):
 * <ul>
 *   <li><b>ack</b>: {@code inc} to the new worker's ACK, the master's own figure ({@code ack_latency_s}: spawn to
 *       ACK, or activation to ACK for an activated standby), for plain {@code java -jar}, preloaded without a
 *       standby ({@code --standby 0}), preloaded with one, a JVM hello world and a python worker;</li>
 *   <li><b>kill</b>: SIGKILL of the only worker to the first HTTP answer on the einhorn port, as a client sees it
 *       (its request waits in the listen backlog, which the master keeps open);</li>
 *   <li><b>pss</b>: PSS of a parked standby and of a serving worker ({@code state --json}).</li>
 * </ul>
 * A shot of a standby variant starts only once a standby is ready again (the previous shot used it).
 */
public final class StandbyRun {
    private StandbyRun() {
    }

    /** id to einhorn arguments, for the app (http-hello) and JDK 17/25. */
    static Map<String, List<String>> variants() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        Variants.App app = Variants.app();
        for (String jdk : List.of("17", "25")) {
            Path home = jdk.equals("17") ? Variants.jdk17() : Variants.jdk25();
            String java = home.resolve("bin/java").toString();
            List<String> plain = new ArrayList<>(List.of("-m", "manual", "-b", "127.0.0.1:0", "--", java));
            plain.addAll(app.javaArgs());
            m.put("plain" + jdk, plain);
            for (String standby : List.of("0", "1")) {
                List<String> pre = new ArrayList<>(List.of("-m", "manual", "-b", "127.0.0.1:0", "--standby", standby,
                        "-p", app.jar().toString(), "--java", java, "--preload-cache",
                        Variants.preloadCache().resolve("standby" + jdk).toString(), "--", java));
                pre.addAll(app.javaArgs());
                m.put((standby.equals("0") ? "cold" : "standby") + jdk, pre);
            }
        }
        return m;
    }

    public static void run(Path out, int rounds, int warmup, long seed, List<String> references, int upgradeRounds,
                    List<String> only, long standbyIdleMs) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        Map<String, Object> runArgs = new LinkedHashMap<>();
        runArgs.put("rounds", rounds);
        runArgs.put("warmup", warmup);
        runArgs.put("seed", seed);
        runArgs.put("references", String.join(",", references));
        runArgs.put("upgrade_rounds", upgradeRounds);
        if (standbyIdleMs > 0) runArgs.put("standby_idle_ms", standbyIdleMs);
        result.put("args", runArgs);
        result.put("machine", machine());
        Map<String, Object> load = new LinkedHashMap<>();
        load.put("start", Machine.loadAverage());
        long started = System.nanoTime();
        Map<String, List<String>> all = variants();
        for (String ref : references) all.put(ref, Variants.byId(ref).einhornArgs());
        if (!only.isEmpty()) {
            all.keySet().retainAll(only);
            runArgs.put("variants", String.join(",", only));
        }
        Map<String, EinhornProcess> masters = new LinkedHashMap<>();
        Map<String, List<Double>> ack = new LinkedHashMap<>();
        Map<String, List<Double>> kill = new LinkedHashMap<>();
        Map<String, Object> pss = new LinkedHashMap<>();
        try {
            for (var v : all.entrySet()) {
                List<String> args = new ArrayList<>(List.of("-n", "1", "-s", "0.05"));
                args.addAll(v.getValue());
                EinhornProcess e = EinhornProcess.start(out.resolve("standby-" + v.getKey()), args, Map.of());
                masters.put(v.getKey(), e);
                e.awaitAcked(1, Duration.ofSeconds(240));
                ack.put(v.getKey(), new ArrayList<>());
                if (!references.contains(v.getKey())) kill.put(v.getKey(), new ArrayList<>());
            }
            Random random = new Random(seed);
            for (int r = 0; r < warmup + rounds; r++) {
                for (String part : List.of("ack", "kill")) {
                    List<String> order = new ArrayList<>(part.equals("ack") ? ack.keySet() : kill.keySet());
                    Collections.shuffle(order, random);
                    for (String id : order) {
                        EinhornProcess e = masters.get(id);
                        if (id.startsWith("standby")) {
                            awaitReadyStandby(e);
                            // 0: activate as soon as it is ready (as an upgrade step or a crash loop does); more: a
                            // standby that has been parked a while, its JIT work from the warm-up long done
                            EinhornProcess.sleep(standbyIdleMs);
                        }
                        double ms = part.equals("ack") ? StartupRun.shot(e).masterMs() : killShot(e, id.startsWith("standby"));
                        if (r >= warmup) (part.equals("ack") ? ack : kill).get(id).add(ms);
                    }
                }
                System.err.printf("[standby] round %d/%d done%n", r + 1, warmup + rounds);
            }
            for (String id : List.of("standby17", "standby25")) {
                EinhornProcess e = masters.get(id);
                if (e == null) continue;
                awaitReadyStandby(e);
                EinhornProcess.sleep(3000); // settle
                Map<String, Object> s = jsonState(e);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("standbyPssKb", first(s, "standbys").get("pss_kb"));
                m.put("workerPssKb", first(s, "workers").get("pss_kb"));
                pss.put(id, m);
            }
        } finally {
            for (EinhornProcess e : masters.values()) e.close();
        }
        load.put("afterActivations", Machine.loadAverage());
        Map<String, Object> upgrade = upgradeRounds > 0 ? StandbyUpgradeRun.run(out, upgradeRounds, seed) : null;
        load.put("end", Machine.loadAverage());
        result.put("loadAverage", load);
        result.put("seconds", Math.round((System.nanoTime() - started) / 1e9));
        result.put("app", Variants.app().name());
        result.put("rounds", rounds);
        result.put("order", "interleaved: each round one shot per variant, shuffled (seed " + seed + ")");
        result.put("ackMs", ack);
        result.put("killToServingMs", kill);
        result.put("pss", pss);
        if (upgrade != null) result.put("upgrade", upgrade);
        BenchJson.write(out.resolve("standby.json"), result);
        System.out.println("| variant | inc → ACK, median ms (master) | SIGKILL → next HTTP answer, median ms (client) |");
        System.out.println("|---|---:|---:|");
        for (String id : ack.keySet()) {
            System.out.printf("| %s | %.0f | %s |%n", id, Stats.median(Stats.toArray(ack.get(id))),
                    kill.containsKey(id) ? String.format("%.0f", Stats.median(Stats.toArray(kill.get(id)))) : "-");
        }
        System.out.println("PSS (kB): " + pss);
        if (upgrade != null) System.out.println("upgrade of " + StandbyUpgradeRun.WORKERS + " workers (ms): " + upgrade.get("upgradeMs"));
    }

    /** The machine, as {@link Machine#describe()} but without the JDKs' install paths (the report is portable). */
    static Map<String, String> machine() {
        Map<String, String> m = new LinkedHashMap<>(Machine.describe());
        m.replaceAll((k, v) -> v.replaceAll(" \\(/[^)]*\\)$", ""));
        return m;
    }

    /** SIGKILL the only worker, then time one HTTP request on the einhorn port until it is answered. */
    static double killShot(EinhornProcess e, boolean standby) throws IOException {
        List<Long> pids = e.awaitAcked(1, Duration.ofSeconds(60));
        EinhornProcess.sleep(300);
        int port = e.port(0);
        long t0 = System.nanoTime();
        long victim = pids.get(0);
        ProcessHandle.of(victim).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
        // Connect only once the master has reaped it: a zombie leader's other threads may still be exiting, and one
        // blocked in accept() can still take a connection from the shared queue and reset it.
        while (Files.exists(Path.of("/proc/" + victim))) Thread.onSpinWait();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(60_000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            double ms = (System.nanoTime() - t0) / 1e6;
            if (!response.startsWith("HTTP/1.1 200")) throw new IOException("answer: " + response);
            if (response.contains("hello from " + pids.get(0) + " ")) throw new IOException("the killed worker answered");
            return ms;
        }
    }

    static void awaitReadyStandby(EinhornProcess e) throws IOException {
        awaitReadyStandbys(e, 1);
    }

    /** Waits (up to 120 s) until the master lists at least n standbys ready to be activated. */
    static void awaitReadyStandbys(EinhornProcess e, int n) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (readyStandbys(e) < n) {
            if (System.nanoTime() > deadline) throw new IOException(n + " standbys not ready in 120 s: " + e.logTail());
            EinhornProcess.sleep(50);
        }
    }

    static long readyStandbys(EinhornProcess e) throws IOException {
        List<?> list = (List<?>) jsonState(e).get("standbys");
        return list == null ? 0 : list.stream().filter(s -> "standby".equals(((Map<?, ?>) s).get("state"))).count();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> jsonState(EinhornProcess e) throws IOException {
        return (Map<String, Object>) BenchJson.parse(e.command("state", "--json"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> first(Map<String, Object> state, String key) {
        List<Object> l = (List<Object>) state.get(key);
        return l == null || l.isEmpty() ? Map.of() : (Map<String, Object>) l.get(0);
    }
}
