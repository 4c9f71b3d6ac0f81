package dev.einhorn.bench.run;

import dev.einhorn.bench.Stats;
import dev.einhorn.bench.Variants;
import dev.einhorn.bench.process.CommandClient;
import dev.einhorn.bench.process.EinhornProcess;
import dev.einhorn.bench.process.FloorServer;
import dev.einhorn.bench.process.ProcFs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The master's own cost with 4 python workers (benchmarks/workers/ack_server.py, manual ACK, {@code -n 4}, default
 * {@code -s 1}) beside the JVM floor, in one run: PSS (and USS: private pages, which other processes' sharing
 * does not change), idle CPU, {@code ehlo} round trips; then smooth upgrades (the {@code upgrade} command to its
 * last reply), and many reloads to see whether anything grows. The floor is {@link FloorServer} run with the
 * master's JVM flags (bin/lib/jvm.sh): the same PSS, CPU and round-trip figures for a JVM that does nothing else;
 * it runs beside the master, and their {@code ehlo} batches alternate, so the machine's load weighs on both alike.
 * The master's upgrade check (as its reload runs it) is timed beside a hello world's JVM start.
 * The upgrade's floor is its pacing, one spawn per {@code -s} seconds: (workers - 1) x s.
 */
final class MasterVsFloor {
    static final int WORKERS = 4;
    static final double SPINUP_SECONDS = 1;

    private MasterVsFloor() {
    }

    /** How long after its last request the master's memory is read, at start and after the upgrades. */
    static final long AT_REST_MS = 12_000;

    static Map<String, Object> run(Path out, int roundTrips, int idleSeconds, int upgrades, int reloads) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("masterArchiveReady", awaitMasterArchive(out));
        String ehloMessage;
        Path py = EinhornProcess.repo().resolve("benchmarks/workers/ack_server.py");
        List<String> args = List.of("-n", Integer.toString(WORKERS), "-m", "manual", "-s", Double.toString(SPINUP_SECONDS),
                "-b", "127.0.0.1:0", "--", Variants.python(), py.toString());
        Map<String, Object> master = new LinkedHashMap<>();
        master.put("command", "bin/einhorn " + String.join(" ", args.subList(0, args.size() - 2)) + " python3 "
                + "benchmarks/workers/ack_server.py");
        Map<String, Object> floor = new LinkedHashMap<>();
        Floor fl = null;
        try (EinhornProcess e = EinhornProcess.start(out.resolve("overhead-python4"), args, Map.of())) {
            e.awaitAcked(WORKERS, Duration.ofSeconds(60));
            CommandClient c = e.client();
            ehloMessage = c.request("ehlo");
            // the floor runs beside the master from here on, and both are asked in alternating batches: the
            // machine's load (other processes) then weighs on both alike. Both are measured only once both run:
            // alone, a JVM's PSS (and USS) also holds the JDK's file pages that a neighbour JVM shares with it.
            fl = Floor.start(out, ehloMessage, floor);
            EinhornProcess.sleep(AT_REST_MS); // at rest, as after the upgrades below
            master.put("firstImageAtRestSeconds", AT_REST_MS / 1000.0);
            master.put("firstImage", memory(e.pid()));
            floor.put("memoryAtStart", memory(fl.process.pid()));
            interleavedRoundTrips(c, fl.client, roundTrips, master, floor, "ehloRtt");
            master.put("idle", idle(e.pid(), idleSeconds));

            double[] up = new double[upgrades];
            List<String> lastReplies = new ArrayList<>();
            for (int i = 0; i < upgrades; i++) {
                EinhornProcess.Timed upgrade = e.timed("upgrade", Duration.ofSeconds(60));
                up[i] = upgrade.seconds();
                lastReplies.add(upgrade.lastReply());
                e.awaitAcked(WORKERS, Duration.ofSeconds(60));
                EinhornProcess.sleep(1000);
            }
            Map<String, Object> upgrade = new LinkedHashMap<>();
            upgrade.put("n", upgrades);
            upgrade.put("workers", WORKERS);
            upgrade.put("spinupSeconds", SPINUP_SECONDS);
            upgrade.put("seconds", up);
            upgrade.put("medianSeconds", Stats.median(up));
            upgrade.put("pacingFloorSeconds", (WORKERS - 1) * SPINUP_SECONDS);
            upgrade.put("lastReplies", lastReplies);
            master.put("smoothUpgrade", upgrade);
            interleavedRoundTrips(c, fl.client, roundTrips, master, floor, "ehloRttAfterUpgrades");
            e.closeClient();
            // at rest: the JVM hands the compiler's freed arenas to malloc within 5 s, and the master's trimmer
            // (bin/lib/jvm.sh) gives them back to the system within 5 more
            EinhornProcess.sleep(AT_REST_MS);
            master.put("afterUpgradesAtRestSeconds", AT_REST_MS / 1000.0);
            master.put("afterUpgrades", memory(e.pid()));
            master.put("archiveMapped", archiveMapped(e.pid()));

            int done = 0;
            double[] reloadSeconds = new double[reloads];
            CommandClient rc = e.client();
            Map<String, Object> afterFirstReload = null;
            for (int i = 0; i < reloads; i++) {
                int before = e.logCount("Using loaded state");
                long t = System.nanoTime();
                rc.request("reload");
                long deadline = t + Duration.ofSeconds(30).toNanos();
                while (e.logCount("Using loaded state") <= before) {
                    if (System.nanoTime() > deadline) throw new IOException("reload " + (i + 1) + " did not finish; log:\n" + e.logTail());
                    EinhornProcess.sleep(5);
                }
                reloadSeconds[i] = (System.nanoTime() - t) / 1e9;
                done++;
                if (i == 0) { // the baseline for growth: a fresh image that has served only this connection
                    EinhornProcess.sleep(3000);
                    afterFirstReload = memory(e.pid());
                }
                EinhornProcess.sleep(100);
            }
            e.closeClient();
            e.awaitAcked(WORKERS, Duration.ofSeconds(60));
            e.closeClient();
            EinhornProcess.sleep(3000);
            Map<String, Object> rl = new LinkedHashMap<>();
            rl.put("n", done);
            rl.put("medianSeconds", Stats.median(reloadSeconds));
            rl.put("afterFirst", afterFirstReload);
            rl.put("memory", memory(e.pid()));
            master.put("reloads", rl);
            System.err.printf("[overhead] python4 master: PSS %.1f MB, ehlo p99 %.3f ms, smooth upgrade %.2f s%n",
                    ((Map<?, ?>) master.get("afterUpgrades")).get("pssMb"),
                    ((Map<?, ?>) master.get("ehloRttAfterUpgrades")).get("p99Ms"), Stats.median(up));
            fl.measure(floor, idleSeconds, e.pid());
        } finally {
            if (fl != null) fl.close();
        }
        result.put("master", master);
        result.put("floor", floor);
        return result;
    }

    /**
     * {@code ehlo} round trips, {@code n} to each of the master and the floor, in 10 alternating batches (after a
     * warm-up of each): p50/p99/max of each under {@code key}.
     */
    static void interleavedRoundTrips(CommandClient master, CommandClient floor, int n, Map<String, Object> masterOut,
            Map<String, Object> floorOut, String key) throws IOException {
        for (int i = 0; i < Math.min(200, n); i++) {
            master.request("ehlo");
            floor.request("ehlo");
        }
        int batches = 10;
        double[] m = new double[n];
        double[] f = new double[n];
        for (int b = 0; b < batches; b++) {
            int from = b * n / batches, to = (b + 1) * n / batches;
            timed(master, m, from, to);
            timed(floor, f, from, to);
        }
        masterOut.put(key, summary(m));
        floorOut.put(key, summary(f));
    }

    private static void timed(CommandClient c, double[] ms, int from, int to) throws IOException {
        for (int i = from; i < to; i++) {
            long t = System.nanoTime();
            c.request("ehlo");
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
    }

    /**
     * Lets bin/einhorn build the master's class-data archive before anything is measured (its training runs in the
     * background on first use and would compete with the measurement): starts {@code bin/einhorn --upgrade-check}
     * and waits up to 3 minutes for the archive. True when it is there; false when this checkout builds none.
     */
    static boolean awaitMasterArchive(Path out) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", "source \"$1/bin/lib/jvm.sh\" && type einhorn_archive_path >/dev/null 2>&1"
                + " && einhorn_archive_path", "_", EinhornProcess.repo().toString()).redirectErrorStream(true).start();
        String path = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0 || path.isEmpty()) return false;
        Path archive = Path.of(path);
        new ProcessBuilder(EinhornProcess.repo().resolve("bin/einhorn").toString(), "--upgrade-check")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(60, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!Files.isRegularFile(archive) && System.nanoTime() < deadline) EinhornProcess.sleep(200);
        EinhornProcess.sleep(2000); // the training's own processes end
        return Files.isRegularFile(archive);
    }

    /** The floor: FloorServer with the master's flags, answering ehlo with the master's own reply text. */
    static final class Floor implements AutoCloseable {
        final Process process;
        final CommandClient client;
        final String java;
        final List<String> flags;

        private Floor(Process process, CommandClient client, String java, List<String> flags) {
            this.process = process;
            this.client = client;
            this.java = java;
            this.flags = flags;
        }

        static Floor start(Path out, String ehloMessage, Map<String, Object> floor) throws Exception {
            List<String> javaAndFlags = masterJvmFlags();
            String java = javaAndFlags.get(0);
            List<String> flags = javaAndFlags.subList(1, javaAndFlags.size());
            // paths inside this checkout as relative ones: a report names no machine path
            floor.put("flags", String.join(" ", flags).replace(Variants.repo().toAbsolutePath() + "/", ""));
            Path dir = out.resolve("overhead-floor");
            Files.createDirectories(dir);
            Path socket = dir.resolve("floor.sock");
            List<String> cmd = new ArrayList<>();
            cmd.add(java);
            cmd.addAll(flags);
            cmd.addAll(List.of("-cp", floorClassPath(), FloorServer.class.getName(), socket.toString(),
                    dev.einhorn.protocol.Replies.encode(ehloMessage, null, true)));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try {
                BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String first = r.readLine();
                if (!"listening".equals(first)) throw new IOException("the floor server did not start: " + first);
                return new Floor(p, new CommandClient(socket), java, flags);
            } catch (IOException | RuntimeException e) {
                p.destroyForcibly();
                throw e;
            }
        }

        /** PSS, idle CPU, the start of a hello world with the same flags, and the master's upgrade check. */
        void measure(Map<String, Object> floor, int idleSeconds, long masterPid) throws IOException, InterruptedException {
            EinhornProcess.sleep(3000);
            floor.put("memory", memory(process.pid()));
            floor.put("idle", idle(process.pid(), idleSeconds));
            floor.put("jvmStartSeconds", jvmStart(java, flags));
            floor.put("jvmStarts", JVM_STARTS);
            floor.put("upgradeCheckSeconds", upgradeCheck(masterPid));
        }

        @Override
        public void close() throws IOException, InterruptedException {
            try {
                client.close();
            } finally {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Median wall time of 5 {@code bin/einhorn --upgrade-check} runs as this master's reload runs it: its environment
     * (from /proc), its working directory, and the image key it was started with (its {@code -Deinhorn.image}), so
     * bin/einhorn may answer without a JVM; without a key (older code) the check is a JVM start. Beside the hello
     * world's {@link #jvmStart}.
     */
    static double upgradeCheck(long masterPid) throws IOException, InterruptedException {
        Path proc = Path.of("/proc/" + masterPid);
        String image = null;
        for (String arg : new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).split("\0")) {
            if (arg.startsWith("-Deinhorn.image=")) image = arg.substring("-Deinhorn.image=".length());
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (String kv : new String(Files.readAllBytes(proc.resolve("environ")), StandardCharsets.UTF_8).split("\0")) {
            int eq = kv.indexOf('=');
            if (eq > 0) env.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        if (image != null && !image.isEmpty()) env.put("EINHORN_RUNNING_IMAGE", image);
        Path cwd = Files.readSymbolicLink(proc.resolve("cwd"));
        double[] t = new double[5];
        for (int i = 0; i < t.length; i++) {
            ProcessBuilder pb = new ProcessBuilder(EinhornProcess.repo().resolve("bin/einhorn").toString(), "--upgrade-check")
                    .directory(cwd.toFile()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().clear();
            pb.environment().putAll(env);
            long t0 = System.nanoTime();
            Process p = pb.start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        return Stats.median(t);
    }

    /**
     * bin/lib/jvm.sh's java, then its master flags (without the master's own class-data archive, which only the
     * master has).
     */
    static List<String> masterJvmFlags() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c",
                "source \"$1/bin/lib/jvm.sh\" && printf '%s %s' \"$EINHORN_JAVA\" \"$EINHORN_MASTER_JVM_OPTS\"",
                "_", EinhornProcess.repo().toString()).redirectErrorStream(true).start();
        String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) throw new IOException("could not read the master's flags: " + s);
        return Arrays.stream(s.split("\\s+")).filter(w -> !w.isEmpty()).toList();
    }

    /** How many JVM hello-world starts {@link #jvmStart} takes the median of. */
    static final int JVM_STARTS = 5;

    /** Median wall time of {@link #JVM_STARTS} starts of a JVM hello world with these flags. */
    static double jvmStart(String java, List<String> flags) throws IOException, InterruptedException {
        double[] t = new double[JVM_STARTS];
        for (int i = 0; i < t.length; i++) {
            List<String> cmd = new ArrayList<>();
            cmd.add(java);
            cmd.addAll(flags);
            cmd.addAll(List.of("-cp", floorClassPath(), HelloMain.class.getName()));
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        return Stats.median(t);
    }

    /**
     * The floor's classes alone (the {@code classes} directory beside the benchmarks' jar), not the whole jar with
     * its dependencies, when they are there; else this JVM's class path.
     */
    static String floorClassPath() {
        try {
            Path own = Path.of(FloorServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path classes = Files.isDirectory(own) ? own : own.resolveSibling("classes");
            if (Files.exists(classes.resolve(FloorServer.class.getName().replace('.', '/') + ".class"))) return classes.toString();
        } catch (java.net.URISyntaxException | RuntimeException e) {
            // fall back to the whole class path
        }
        return System.getProperty("java.class.path");
    }

    /** A JVM hello world. */
    public static final class HelloMain {
        public static void main(String[] args) {
            System.out.println("hello");
        }
    }

    static Map<String, Object> roundTrips(CommandClient c, String command, int n) throws IOException {
        for (int i = 0; i < Math.min(200, n); i++) c.request(command); // warm-up
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            c.request(command);
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        return summary(ms);
    }

    /** n, p50, p99 and max of round trips in ms. */
    static Map<String, Object> summary(double[] ms) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", ms.length);
        m.put("p50Ms", Stats.percentile(ms, 50));
        m.put("p99Ms", Stats.percentile(ms, 99));
        m.put("maxMs", Stats.percentile(ms, 100));
        return m;
    }

    static Map<String, Object> idle(long pid, int seconds) throws IOException {
        long t0 = System.nanoTime();
        long c0 = ProcFs.cpuTicks(pid);
        EinhornProcess.sleep(seconds * 1000L);
        long c1 = ProcFs.cpuTicks(pid);
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (c1 - c0) / (double) ProcFs.clockTicksPerSecond();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("windowSeconds", wall);
        m.put("cpuSeconds", cpu);
        m.put("cpuPercent", 100 * cpu / wall);
        return m;
    }

    static Map<String, Object> memory(long pid) throws IOException {
        ProcFs.Memory m = ProcFs.memory(pid);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("pssMb", m.pssKb() / 1024.0);
        r.put("ussMb", (m.privateCleanKb() + m.privateDirtyKb()) / 1024.0);
        r.put("privateDirtyMb", m.privateDirtyKb() / 1024.0);
        r.put("rssMb", m.rssKb() / 1024.0);
        r.put("threads", count(Path.of("/proc/" + pid + "/task")));
        r.put("fds", count(Path.of("/proc/" + pid + "/fd")));
        return r;
    }

    /** Whether the master maps its own class-data archive (bin/lib/jvm.sh names it master-KEY.jsa). */
    static boolean archiveMapped(long pid) throws IOException {
        return ProcFs.mappedFiles(pid).stream().anyMatch(f -> f.matches(".*/master-[^/]*\\.jsa"));
    }

    private static int count(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return (int) s.count();
        }
    }

}
