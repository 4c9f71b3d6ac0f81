package dev.einhorn.bench.run;

import dev.einhorn.bench.BenchJson;
import dev.einhorn.bench.Stats;
import dev.einhorn.bench.Variants;
import dev.einhorn.bench.process.CommandClient;
import dev.einhorn.bench.process.EinhornProcess;
import dev.einhorn.bench.process.LoadClient;
import dev.einhorn.bench.report.Charts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Load during upgrades: a closed-loop loopback client against the app's workers while the master runs repeated
 * smooth upgrades, fleet upgrades and (when the master has it) reloads, with steady stretches between them.
 * Reports requests sent and failed, latency p50/p99 in steady state vs during the operations, how long each took,
 * a CSV timeline and a chart with the operations marked.
 */
public final class LoadRun {
    private LoadRun() {
    }

    /** One command run while the load goes on: from sending it until the pool is back to N acked workers. */
    /** Requests started in the first seconds (JIT warm-up of client and workers) are not in the latency rows. */
    public static final int WARMUP_S = 3;
    /** The master's spin-up interval ({@code -s}, its default made explicit): an upgrade's pacing floor. */
    static final double SPINUP_SECONDS = 1;

    public record Op(String command, double startS, double replyS, double settledS, boolean ok, String note) {
    }

    public static Map<String, Object> run(Path out, String variantId, int workers, int threads, int repeats, int steadySeconds,
                                   int gapSeconds, Map<String, Object> commands) throws Exception {
        Variants.Variant v = Variants.byId(variantId);
        Variants.App app = Variants.app();
        List<String> args = new ArrayList<>(List.of("-n", Integer.toString(workers), "-s", Double.toString(SPINUP_SECONDS)));
        args.addAll(v.einhornArgs());
        List<String> schedule = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (String c : List.of("upgrade", "upgrade_fleet", "reload")) {
            if (Boolean.TRUE.equals(commands.get(c))) {
                for (int i = 0; i < repeats; i++) schedule.add(c);
            } else {
                skipped.add(c);
            }
        }
        List<Op> ops = new ArrayList<>();
        LoadClient.Samples samples;
        double endS;
        LoadClient client;
        try (EinhornProcess e = EinhornProcess.start(out.resolve("load"), args, Map.of())) {
            e.awaitAcked(workers, Duration.ofSeconds(240));
            int port = e.port(0);
            // bound: steady + per op (gap + up to 60 s) + tail, hard-capped at 10 min
            long maxSeconds = Math.min(600, WARMUP_S + steadySeconds * 2L + schedule.size() * (gapSeconds + 60L));
            client = new LoadClient(port, app.http(), threads, 4_000_000, maxSeconds);
            client.start();
            try {
                EinhornProcess.sleep((WARMUP_S + steadySeconds) * 1000L);
                for (String c : schedule) {
                    ops.add(runOp(e, client, c, workers));
                    Op last = ops.get(ops.size() - 1);
                    System.err.printf(Locale.ROOT, "[load] %s: %.2f s (%s)%n", c, last.settledS() - last.startS(),
                            last.ok() ? "ok" : last.note());
                    EinhornProcess.sleep(gapSeconds * 1000L);
                }
                EinhornProcess.sleep(Math.max(0, steadySeconds - gapSeconds) * 1000L);
            } finally {
                endS = client.micros() / 1e6;
                client.stop();
            }
            samples = client.samples();
        }

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("variant", variantId);
        result.put("label", v.label());
        result.put("app", app.name());
        result.put("protocol", app.http() ? "HTTP/1.1 GET, one connection per request" : "one line per connection");
        result.put("workers", workers);
        result.put("spinupSeconds", SPINUP_SECONDS);
        result.put("clientThreads", threads);
        result.put("durationSeconds", endS);
        result.put("skippedCommands", skipped);
        result.put("warmupSeconds", (double) WARMUP_S);
        result.putAll(summarize(samples, ops, endS, WARMUP_S));
        List<Object> opList = new ArrayList<>();
        for (Op op : ops) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("command", op.command());
            m.put("startS", op.startS());
            m.put("replySeconds", op.replyS() - op.startS());
            m.put("settledSeconds", op.settledS() - op.startS());
            m.put("ok", op.ok());
            m.put("note", op.note());
            opList.add(m);
        }
        result.put("operations", opList);
        Timeline tl = Timeline.of(samples, 0.25, endS);
        Path csv = out.resolve("load-timeline.csv");
        Files.writeString(csv, tl.csv());
        result.put("timelineCsv", csv.getFileName().toString());
        BenchJson.write(out.resolve("load.json"), result);
        Charts.loadChart(tl, ops, out.resolve("load-upgrades.png"),
                "Load during upgrades: " + app.name().replaceAll(" \\(.*", "") + ", " + workers + " workers, " + variantId
                        + ", " + (app.http() ? "HTTP" : "line") + " (bands: command sent to pool settled)");
        result.put("chart", "load-upgrades.png");
        BenchJson.write(out.resolve("load.json"), result);
        return result;
    }

    private static Op runOp(EinhornProcess e, LoadClient client, String command, int workers) {
        double start = client.micros() / 1e6;
        double reply = Double.NaN;
        String note = "";
        boolean ok = true;
        try {
            Map<String, Object> before = e.state();
            int version = ((Number) before.getOrDefault("version", 0)).intValue();
            int generation = ((Number) before.getOrDefault("generation", 0)).intValue();
            List<String> messages;
            try (CommandClient c = new CommandClient(e.socket)) {
                messages = c.request(command, null, Duration.ofSeconds(120));
                note = messages.get(messages.size() - 1);
            } catch (IOException ex) {
                note = "reply: " + ex.getMessage(); // a reload may drop the connection: judged by state below
            }
            reply = client.micros() / 1e6;
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (true) {
                try {
                    Map<String, Object> s = e.state();
                    int vNow = ((Number) s.getOrDefault("version", 0)).intValue();
                    int gNow = ((Number) s.getOrDefault("generation", 0)).intValue();
                    boolean moved = command.equals("reload") ? gNow > generation : vNow > version;
                    Map<Long, Map<String, Object>> ch = EinhornProcess.children(s);
                    if (moved && !Boolean.TRUE.equals(s.get("upgrading")) && ch.size() == workers
                            && EinhornProcess.ackedCount(s) == workers) {
                        break;
                    }
                } catch (IOException ex) {
                    e.closeClient(); // the master may be re-executing: try again
                }
                if (System.nanoTime() > deadline) {
                    ok = false;
                    note = "did not settle in 120 s (" + note + ")";
                    break;
                }
                EinhornProcess.sleep(10);
            }
        } catch (IOException ex) {
            ok = false;
            note = ex.getMessage();
        }
        return new Op(command, start, Double.isNaN(reply) ? client.micros() / 1e6 : reply, client.micros() / 1e6, ok, note);
    }

    static boolean during(double tS, List<Op> ops) {
        for (Op op : ops) if (tS >= op.startS() && tS <= op.settledS()) return true;
        return false;
    }

    public static Map<String, Object> summarize(LoadClient.Samples s, List<Op> ops, double endS, double warmupS) {
        Map<String, Object> r = new LinkedHashMap<>();
        long[] byOutcome = new long[LoadClient.OUTCOMES.length];
        List<Double> steady = new ArrayList<>();
        List<Double> dur = new ArrayList<>();
        double steadyTime = endS - warmupS;
        for (Op op : ops) steadyTime -= op.settledS() - op.startS();
        long steadyCount = 0, durCount = 0;
        for (int i = 0; i < s.size(); i++) {
            byOutcome[s.outcome()[i]]++;
            double t = s.startUs()[i] / 1e6;
            boolean d = during(t, ops);
            if (t < warmupS && !d) continue;
            if (d) durCount++;
            else steadyCount++;
            if (s.outcome()[i] == LoadClient.OK) (d ? dur : steady).add(s.latencyUs()[i] / 1000.0);
        }
        r.put("requestsSent", (long) s.size());
        r.put("requestsFailed", s.size() - byOutcome[LoadClient.OK]);
        Map<String, Object> failures = new LinkedHashMap<>();
        for (int i = 1; i < byOutcome.length; i++) if (byOutcome[i] > 0) failures.put(LoadClient.OUTCOMES[i], byOutcome[i]);
        r.put("failuresByKind", failures);
        double[] st = Stats.toArray(steady);
        double[] du = Stats.toArray(dur);
        java.util.Arrays.sort(st);
        java.util.Arrays.sort(du);
        Map<String, Object> steadyM = new LinkedHashMap<>();
        steadyM.put("requests", steadyCount);
        steadyM.put("seconds", steadyTime);
        steadyM.put("requestsPerSecond", steadyTime > 0 ? steadyCount / steadyTime : Double.NaN);
        steadyM.put("p50Ms", Stats.percentileSorted(st, 50));
        steadyM.put("p99Ms", Stats.percentileSorted(st, 99));
        r.put("steady", steadyM);
        Map<String, Object> durM = new LinkedHashMap<>();
        durM.put("requests", durCount);
        double durTime = 0;
        for (Op op : ops) durTime += op.settledS() - op.startS();
        durM.put("seconds", durTime);
        durM.put("requestsPerSecond", durTime > 0 ? durCount / durTime : Double.NaN);
        durM.put("p50Ms", Stats.percentileSorted(du, 50));
        durM.put("p99Ms", Stats.percentileSorted(du, 99));
        r.put("duringOperations", durM);
        return r;
    }

    /** Requests bucketed by completion time: rate, latency p50/p99 of the bucket, failures. */
    public record Timeline(double bucketS, double[] t, double[] rps, double[] p50, double[] p99, long[] failed) {
        public static Timeline of(LoadClient.Samples s, double bucketS, double endS) {
            int n = Math.max(1, (int) Math.ceil(endS / bucketS));
            List<List<Double>> lat = new ArrayList<>();
            for (int i = 0; i < n; i++) lat.add(new ArrayList<>());
            long[] count = new long[n];
            long[] failed = new long[n];
            for (int i = 0; i < s.size(); i++) {
                double done = (s.startUs()[i] + s.latencyUs()[i]) / 1e6;
                int b = Math.min(n - 1, (int) (done / bucketS));
                count[b]++;
                if (s.outcome()[i] == LoadClient.OK) lat.get(b).add(s.latencyUs()[i] / 1000.0);
                else failed[b]++;
            }
            double[] t = new double[n], rps = new double[n], p50 = new double[n], p99 = new double[n];
            for (int i = 0; i < n; i++) {
                t[i] = (i + 1) * bucketS;
                rps[i] = count[i] / bucketS;
                double[] l = Stats.toArray(lat.get(i));
                p50[i] = Stats.percentile(l, 50);
                p99[i] = Stats.percentile(l, 99);
            }
            return new Timeline(bucketS, t, rps, p50, p99, failed);
        }

        String csv() {
            StringBuilder b = new StringBuilder("t_seconds,requests_per_second,p50_ms,p99_ms,failed\n");
            for (int i = 0; i < t.length; i++) {
                b.append(String.format(Locale.ROOT, "%.2f,%.0f,%.3f,%.3f,%d%n", t[i], rps[i], p50[i], p99[i], failed[i]));
            }
            return b.toString();
        }
    }
}
