package dev.einhorn.bench.run;

import dev.einhorn.bench.BenchJson;
import dev.einhorn.bench.Stats;
import dev.einhorn.bench.process.CommandClient;
import dev.einhorn.bench.process.EinhornProcess;
import dev.einhorn.bench.process.ProcFs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The master's own costs, with trivial workers ({@code sleep 600}, timer ACK):
 * command round trips ({@code state}, {@code inc}/{@code dec}) over one connection; CPU (utime+stime) while idle
 * with 8 workers; how fast it spawns (50 at start-up, and {@code set_workers 50} from 1 with {@code -s 0.001}).
 * First, {@link MasterVsFloor}: the master with 4 python workers beside the JVM floor.
 */
public final class OverheadRun {
    private OverheadRun() {
    }

    public static Map<String, Object> run(Path out, int roundTrips, int idleSeconds, int upgrades, int reloads) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("python4", MasterVsFloor.run(out, roundTrips, idleSeconds, upgrades, reloads));
        try (EinhornProcess e = EinhornProcess.start(out.resolve("overhead-rtt"),
                List.of("-n", "8", "-m", "0.5", "--", "sleep", "600"), Map.of())) {
            e.awaitAcked(8, Duration.ofSeconds(60));
            CommandClient c = e.client();
            Map<String, Object> state = MasterVsFloor.roundTrips(c, "state", roundTrips);
            int pairs = Math.max(1, roundTrips / 4);
            double[] inc = new double[pairs];
            double[] dec = new double[pairs];
            for (int i = 0; i < pairs; i++) {
                long t = System.nanoTime();
                c.request("inc");
                inc[i] = (System.nanoTime() - t) / 1e6;
                t = System.nanoTime();
                c.request("dec");
                dec[i] = (System.nanoTime() - t) / 1e6;
            }
            result.put("stateRtt", state);
            result.put("incRtt", MasterVsFloor.summary(inc));
            result.put("decRtt", MasterVsFloor.summary(dec));
            e.closeClient();

            // idle CPU: let the inc/dec churn settle, then read utime+stime over the window
            e.awaitAcked(8, Duration.ofSeconds(60));
            e.closeClient();
            EinhornProcess.sleep(2000);
            Map<String, Object> idle = new LinkedHashMap<>();
            idle.put("workers", 8);
            idle.putAll(MasterVsFloor.idle(e.pid(), idleSeconds));
            idle.put("clockTicksPerSecond", ProcFs.clockTicksPerSecond());
            idle.put("masterPssMb", ProcFs.memory(e.pid()).pssKb() / 1024.0);
            result.put("idle", idle);
            System.err.printf("[overhead] state p50 %.3f ms, idle CPU %.3f%%%n", state.get("p50Ms"), idle.get("cpuPercent"));
        }

        // spawn burst at start-up: spinup_time of each child (master's wall clock at spawn)
        try (EinhornProcess e = EinhornProcess.start(out.resolve("overhead-burst"),
                List.of("-n", "50", "-m", "0.5", "--", "sleep", "600"), Map.of())) {
            e.awaitAcked(50, Duration.ofSeconds(60));
            List<Double> times = new ArrayList<>();
            for (Map<String, Object> ch : EinhornProcess.children(e.state()).values()) {
                times.add(epochSeconds(ch.get("spinup_time")));
            }
            double[] t = Stats.toArray(times);
            java.util.Arrays.sort(t);
            double span = t[t.length - 1] - t[0];
            Map<String, Object> burst = new LinkedHashMap<>();
            burst.put("workers", 50);
            burst.put("spanSeconds", span);
            burst.put("spawnsPerSecond", span > 0 ? (t.length - 1) / span : Double.NaN);
            burst.put("meanMillisPerSpawn", span * 1000 / (t.length - 1));
            result.put("burst", burst);
        }

        // set_workers 50 from 1, spin-up interval 1 ms: command to 50 children in state
        try (EinhornProcess e = EinhornProcess.start(out.resolve("overhead-setworkers"),
                List.of("-n", "1", "-s", "0.001", "-m", "0.5", "--max-unacked", "100", "--", "sleep", "600"), Map.of())) {
            e.awaitAcked(1, Duration.ofSeconds(60));
            EinhornProcess.sleep(300);
            long t0 = System.nanoTime();
            e.command("set_workers", "50");
            long deadline = t0 + Duration.ofSeconds(60).toNanos();
            while (EinhornProcess.children(e.state()).size() < 50) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("set_workers 50 did not reach 50");
                EinhornProcess.sleep(1);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> sw = new LinkedHashMap<>();
            sw.put("from", 1);
            sw.put("to", 50);
            sw.put("seconds", secs);
            sw.put("spawnsPerSecond", 49 / secs);
            result.put("setWorkers", sw);
            System.err.printf("[overhead] set_workers 50: %.3f s (%.0f spawns/s)%n", secs, 49 / secs);
        }
        BenchJson.write(out.resolve("overhead.json"), result);
        return result;
    }

    /** {@code 2026-11-24 21:33:35.987975653 Z} (Psych's timestamp) or a parsed date, as epoch seconds. */
    static double epochSeconds(Object o) {
        if (o instanceof java.util.Date d) return d.getTime() / 1000.0;
        if (o instanceof java.time.temporal.TemporalAccessor ta) {
            return java.time.Instant.from(ta).getEpochSecond() + java.time.Instant.from(ta).getNano() / 1e9;
        }
        String s = String.valueOf(o).trim();
        String[] parts = s.split(" ");
        String iso = parts[0] + "T" + parts[1] + (parts.length > 2 && !parts[2].equals("Z") ? parts[2] : "Z");
        java.time.Instant i = java.time.OffsetDateTime.parse(iso).toInstant();
        return i.getEpochSecond() + i.getNano() / 1e9;
    }
}
