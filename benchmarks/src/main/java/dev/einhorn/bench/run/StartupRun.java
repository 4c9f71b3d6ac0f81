package dev.einhorn.bench.run;

import dev.einhorn.bench.BenchJson;
import dev.einhorn.bench.Stats;
import dev.einhorn.bench.Variants;
import dev.einhorn.bench.process.EinhornProcess;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Spawn-to-ACK through the real master, every variant interleaved. One master per variant ({@code -n 1 -s 0.05},
 * manual ACK) is started and left idle; then each round takes one shot of every variant, in a shuffled order, so
 * that a slow drift of the machine (a busy neighbour, a noisy VM host) hits every variant alike instead of
 * whichever ran during it. One worker starts at a time.
 *
 * <p>A shot: {@code inc}, then wait for the master's {@code Received a manual ACK from PID} line in its log (the
 * benchmark reads the log file; it sends the master nothing while the worker starts), then one
 * {@code state --json} for that worker's {@code ack_latency_s}: spawn to ACK on the master's own monotonic clock.
 * That is the figure reported; the time the client saw (from sending {@code inc} to reading the log line) is
 * kept as a check. Then {@code dec}, and the next shot of this master waits until the retired worker is gone.
 *
 * <p>Why not poll {@code state}: with {@code -p}, every {@code state} reads {@code /proc/PID/maps} and
 * {@code /proc/PID/smaps_rollup} of each preloaded worker (~2 ms of master time per worker, taken while the
 * starting JVM is faulting in its pages), so polling it every 5 ms slowed exactly the preloaded workers and
 * hid the archive's gain (see RESULTS.md).
 */
public final class StartupRun {
    static final Pattern ACK = Pattern.compile("Received a manual ACK from (\\d+)");

    private StartupRun() {
    }

    /** The pids of the manual ACKs logged in text (the master's log), in order. */
    public static List<Long> ackedPids(CharSequence text) {
        List<Long> pids = new ArrayList<>();
        Matcher m = ACK.matcher(text);
        while (m.find()) pids.add(Long.parseLong(m.group(1)));
        return pids;
    }

    /** One shot's result, ms. */
    record Shot(double masterMs, double clientMs) {
    }

    public static Map<String, Object> run(Path out, List<String> ids, int rounds, int warmup, long seed) throws Exception {
        Map<String, EinhornProcess> masters = new LinkedHashMap<>();
        Map<String, List<Shot>> shots = new LinkedHashMap<>();
        Map<String, String> errors = new LinkedHashMap<>();
        try {
            for (String id : ids) {
                Variants.Variant v = Variants.byId(id);
                List<String> args = new ArrayList<>(List.of("-n", "1", "-s", "0.05"));
                args.addAll(v.einhornArgs());
                try {
                    EinhornProcess e = EinhornProcess.start(out.resolve("startup-" + id), args, Map.of());
                    masters.put(id, e);
                    e.awaitAcked(1, Duration.ofSeconds(240)); // a preloaded variant may build its archive first
                    shots.put(id, new ArrayList<>());
                } catch (IOException | RuntimeException ex) {
                    errors.put(id, "master did not start: " + EinhornProcess.firstLine(ex));
                    System.err.println("[startup] " + id + ": " + ex.getMessage());
                }
            }
            Random random = new Random(seed);
            for (int r = 0; r < warmup + rounds; r++) {
                List<String> order = new ArrayList<>(shots.keySet());
                Collections.shuffle(order, random);
                for (String id : order) {
                    if (errors.containsKey(id)) continue;
                    try {
                        Shot s = shot(masters.get(id));
                        if (r >= warmup) shots.get(id).add(s);
                    } catch (IOException | RuntimeException ex) {
                        errors.put(id, "shot failed: " + EinhornProcess.firstLine(ex));
                        System.err.println("[startup] " + id + ": " + ex.getMessage());
                    }
                }
                System.err.printf("[startup] round %d/%d done%n", r + 1, warmup + rounds);
            }
        } finally {
            for (EinhornProcess e : masters.values()) e.close();
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("rounds", rounds);
        result.put("warmupRounds", warmup);
        result.put("order", "interleaved: each round one shot per variant, shuffled (seed " + seed + ")");
        Map<String, Object> variants = new LinkedHashMap<>();
        shots.forEach((id, list) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("masterMs", list.stream().map(Shot::masterMs).toList());
            m.put("clientMs", list.stream().map(Shot::clientMs).toList());
            if (errors.containsKey(id)) m.put("error", errors.get(id));
            variants.put(id, m);
            double[] ms = Stats.toArray(list.stream().map(Shot::masterMs).toList());
            System.err.printf("[startup] %s: median %.0f ms (n=%d)%n", id, Stats.median(ms), ms.length);
        });
        errors.forEach((id, why) -> {
            if (!variants.containsKey(id)) variants.put(id, Map.of("error", why));
        });
        result.put("variants", variants);
        BenchJson.write(out.resolve("startup.json"), result);
        return result;
    }

    /** inc; the ACK line in the log; the master's ack latency of that worker; dec. */
    static Shot shot(EinhornProcess e) throws IOException {
        List<Long> before = e.awaitAcked(1, Duration.ofSeconds(60)); // the worker retired by the last shot is gone
        EinhornProcess.sleep(300); // nothing of the last shot still running
        long offset = logLength(e);
        long t0 = System.nanoTime();
        e.command("inc");
        long pid = awaitAckInLog(e, offset, before);
        double clientMs = (System.nanoTime() - t0) / 1e6;
        double masterMs = ackLatencyMs(e, pid);
        e.command("dec");
        return new Shot(masterMs, clientMs);
    }

    static long logLength(EinhornProcess e) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(e.log.toFile(), "r")) {
            return f.length();
        }
    }

    /**
     * Reads the master's log from offset (every 2 ms, a local file read: the master is not asked anything) until a
     * worker not in before is logged as ACKed; returns its pid.
     */
    static long awaitAckInLog(EinhornProcess e, long offset, List<Long> before) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        StringBuilder seen = new StringBuilder();
        try (RandomAccessFile f = new RandomAccessFile(e.log.toFile(), "r")) {
            while (true) {
                long len = f.length();
                if (len > offset) {
                    byte[] b = new byte[(int) (len - offset)];
                    f.seek(offset);
                    f.readFully(b);
                    offset = len;
                    seen.append(new String(b, StandardCharsets.UTF_8));
                    for (long p : ackedPids(seen)) {
                        if (!before.contains(p)) return p;
                    }
                }
                if (System.nanoTime() > deadline) throw new IOException("no ACK in 120 s: " + e.logTail());
                if (!e.process.isAlive()) throw new IOException("einhorn exited: " + e.logTail());
                EinhornProcess.sleep(2);
            }
        }
    }

    /** The worker's ack_latency_s from {@code state --json}, in ms. */
    @SuppressWarnings("unchecked")
    static double ackLatencyMs(EinhornProcess e, long pid) throws IOException {
        Object root = BenchJson.parse(e.command("state", "--json"));
        if (root instanceof Map<?, ?> m && m.get("workers") instanceof List<?> workers) {
            for (Object o : workers) {
                Map<String, Object> w = (Map<String, Object>) o;
                if (w.get("pid") instanceof Number p && p.longValue() == pid && w.get("ack_latency_s") instanceof Number l) {
                    return l.doubleValue() * 1000;
                }
            }
        }
        throw new IOException("state --json has no ack_latency_s for worker " + pid);
    }
}
