package dev.einhorn.bench.report;

import dev.einhorn.bench.Stats;
import dev.einhorn.bench.process.Quiet;
import dev.einhorn.bench.run.SpringRun;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * RESULTS.md section 5 from results/spring.json ({@link SpringRun}): the Spring Boot sample, plain {@code java -jar}
 * vs {@code -p}. The two goals of the preload work are judged here from the run's own medians, nothing else: a
 * preloaded worker ACKs at least {@link #ACK_GOAL}× sooner than plain on JDK 25, and a cache-hit start costs the
 * master less than {@link #MASTER_GOAL} extra time to its first spawn.
 */
final class SpringReport {
    static final double ACK_GOAL = 1.8;
    static final double MASTER_GOAL = 0.10;

    private SpringReport() {
    }

    /** "met" or "not met" (or "not measured" without data): plain / preloaded at least the goal. */
    static String ackVerdict(double plainMs, double preloadedMs) {
        if (Double.isNaN(plainMs) || Double.isNaN(preloadedMs) || preloadedMs <= 0) return "not measured";
        return plainMs / preloadedMs >= ACK_GOAL ? "met" : "not met";
    }

    /** "met" or "not met": the preloaded master's extra time to its first spawn, relative, under the goal. */
    static String masterVerdict(double plainMs, double preloadedMs) {
        if (Double.isNaN(plainMs) || Double.isNaN(preloadedMs) || plainMs <= 0) return "not measured";
        return (preloadedMs - plainMs) / plainMs < MASTER_GOAL ? "met" : "not met";
    }

    static String pct(double a, double base) {
        if (Double.isNaN(a) || Double.isNaN(base) || base == 0) return "—";
        return String.format(Locale.ROOT, "%+.0f %%", (a - base) / base * 100);
    }

    @SuppressWarnings("unchecked")
    static double[] samples(Map<String, Object> m, String id, String key) {
        if (m == null || !(m.get(id) instanceof Map<?, ?> v)) return new double[0];
        List<Object> l = (List<Object>) ((Map<String, Object>) v).get(key);
        if (l == null) return new double[0];
        List<Number> nums = new ArrayList<>();
        for (Object o : l) if (o instanceof Number n) nums.add(n);
        return Stats.toArray(nums);
    }

    static double median(double[] s) {
        return s.length == 0 ? Double.NaN : Stats.median(s);
    }

    static String range(double[] s) {
        return s.length == 0 ? "—" : MarkdownTable.fmt(Stats.percentile(s, 0)) + "–" + MarkdownTable.fmt(Stats.percentile(s, 100));
    }

    @SuppressWarnings("unchecked")
    static void section(StringBuilder b, Path results, Map<String, String> commands) throws IOException {
        b.append("## 5. Spring Boot sample: plain `java -jar` vs `-p`\n\n");
        Map<String, Object> r = Report.readOrNull(results.resolve("spring.json"));
        if (r == null) {
            b.append(Report.NOT_RUN);
            return;
        }
        Map<String, Object> app = (Map<String, Object>) r.get("app");
        List<Object> loads = (List<Object>) r.get("loadAverages");
        int cores = ((Number) r.get("nproc")).intValue();
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (Object o : loads) {
            try {
                double one = Double.parseDouble(String.valueOf(o).split(" ")[0]);
                lo = Math.min(lo, one);
                hi = Math.max(hi, one);
            } catch (NumberFormatException ignored) {
                // not readable
            }
        }
        b.append("App: ").append(app.get("name")).append(", `").append(app.get("jar")).append("` (")
                .append(Report.f(app.get("jarMb"))).append(" MB fat jar), manual ACK from the starter (`-m manual`: the "
                        + "worker ACKs once Spring Boot is ready, web server started). ")
                .append(r.get("roundsMeasured")).append(" measured rounds (of ").append(r.get("roundsPlanned"))
                .append(" planned, after ").append(r.get("warmupRounds")).append(" warm-up round; the part stops "
                        + "starting rounds after ").append(r.get("budgetSeconds")).append(" s), ")
                .append(r.get("order")).append("; the part took ").append(Report.f(r.get("wallSeconds"))).append(" s.\n\n");
        String scheduling = String.valueOf(r.getOrDefault("scheduling", ""));
        boolean raised = scheduling.matches(".*nice -\\d+");
        if (raised) {
            b.append("The run raised its own CPU share (`").append(scheduling).append("`: with autogroup scheduling, "
                    + "other sessions' work on the machine gets CPU only when the run leaves some), so other work "
                    + "disturbs these figures less than the load average below suggests; it still shares caches, "
                    + "memory bandwidth and disk with it.\n\n");
        }
        if (r.get("quietWaitsMs") instanceof List<?> waits && !waits.isEmpty()) {
            List<Double> w = waits.stream().map(o -> ((Number) o).doubleValue()).sorted().toList();
            long capped = w.stream().filter(x -> x >= SpringRun.QUIET_MAX_MS).count();
            b.append("Before each shot the run waited until the processes it had started were idle (together under ")
                    .append(Math.round(Quiet.IDLE_CORE_SHARE * 100)).append(" % of a core over ").append(Quiet.WINDOW_MS)
                    .append(" ms: a worker that has just ACKed keeps compiling, a replacement standby boots, a retired "
                            + "worker shuts down): median wait ").append(MarkdownTable.fmt(w.get(w.size() / 2)))
                    .append(" ms, longest ").append(MarkdownTable.fmt(w.get(w.size() - 1))).append(" ms; ").append(capped)
                    .append(" of ").append(w.size()).append(" waits gave up at ").append(SpringRun.QUIET_MAX_MS / 1000)
                    .append(" s.\n\n");
        }
        if (hi > cores) {
            b.append("**The machine was busy during this part:** the 1-minute load average, sampled before the part and "
                    + "after every round, was ").append(MarkdownTable.fmt(lo)).append("–").append(MarkdownTable.fmt(hi))
                    .append(" on ").append(cores).append(" cores (other builds and tests shared it). Every absolute time "
                            + "below is inflated and spread out; the ratios come from shots interleaved in the same rounds, "
                            + "but with so few shots a busy neighbour can still tilt a median. Re-run on a quiet machine "
                            + "before quoting absolute figures.\n\n");
        } else if (hi > 0) {
            b.append("1-minute load average during the part: ").append(MarkdownTable.fmt(lo)).append("–")
                    .append(MarkdownTable.fmt(hi)).append(" on ").append(cores).append(" cores.\n\n");
        }

        Map<String, Object> first = (Map<String, Object>) r.get("firstStart");
        b.append("### First start, extraction and training included\n\n"
                + "A master with `-p`, `--standby 0` and an empty preload cache, from starting `bin/einhorn` to the first "
                + "worker's ACK line (the initial workers wait for the archive); preparation time, class counts and "
                + "layout from the master's `state --json` preload object.\n\n");
        MarkdownTable ft = new MarkdownTable("JDK", "archive", "start → first ACK s", "preparation (extract + train) s",
                "classes archived", "classes failed", "archive MB", "layout");
        for (String jdk : SpringRun.JDKS) {
            Map<String, Object> f = (Map<String, Object>) first.get(jdk);
            if (f == null) {
                ft.row(jdk, "—", "not measured", "—", "—", "—", "—", "—");
                continue;
            }
            ft.row(jdk, f.get("archiveKind"), ((Number) f.get("startToFirstAckMs")).doubleValue() / 1000,
                    Report.f(f.get("training_s")), f.get("classes_archived"), f.get("classes_failed"),
                    Report.f(f.get("archiveMb")), f.get("layout"));
        }
        b.append(ft.render()).append('\n');

        Map<String, Object> ack = (Map<String, Object>) r.get("ack");
        b.append("### Time to ACK of one worker\n\n"
                + "Idle masters with `-n 1`. plain and preloaded: `inc`, then the master's own spawn-to-ACK of the new "
                + "worker (`ack_latency_s`, read after its ACK line appeared in the master's log; nothing polls the "
                + "master meanwhile), then `dec`. preloaded = `-p --standby 0`, the cache built by the first start. "
                + "standby = `-p --standby 1`: the only worker is SIGKILLed and the master activates the parked standby "
                + "in its place; its figure is activation to ACK (the master's clock), \"client\" is SIGKILL to the ACK "
                + "line. Milliseconds.\n\n");
        MarkdownTable at = new MarkdownTable("variant", "what", "median ms", "min–max ms", "shots", "client median ms",
                "plain / this");
        for (String jdk : SpringRun.JDKS) {
            double plain = median(samples(ack, "plain" + jdk, "masterMs"));
            for (String[] v : new String[][] {{"plain", "plain `java -jar`"}, {"cold", "preloaded (`-p --standby 0`), "
                    + (jdk.equals("17") ? "AppCDS" : "AOT cache")}, {"standby", "activated standby (`-p --standby 1`): "
                    + "activation → ACK"}}) {
                String id = v[0] + jdk;
                if (!ack.containsKey(id)) continue;
                double[] s = samples(ack, id, "masterMs");
                at.row(id, v[1] + ", JDK " + jdk, median(s), range(s), s.length,
                        median(samples(ack, id, "clientMs")), v[0].equals("plain") ? "1.00×" : Report.ratio(plain, median(s)));
            }
        }
        b.append(at.render()).append('\n');
        Map<String, Object> errors = (Map<String, Object>) r.get("errors");
        if (errors != null) errors.forEach((id, why) -> b.append("- `").append(id).append("`: ").append(why).append('\n'));
        if (!Boolean.TRUE.equals(r.get("standbysMeasured"))) {
            b.append("- Standbys: not measured in this run (`standbys=0`).\n");
        }
        double p25 = median(samples(ack, "plain25", "masterMs")), c25 = median(samples(ack, "cold25", "masterMs"));
        double p17 = median(samples(ack, "plain17", "masterMs")), c17 = median(samples(ack, "cold17", "masterMs"));
        b.append("\n**Goal: a preloaded worker ACKs at least ").append(ACK_GOAL).append("× sooner than plain `java -jar` "
                + "on JDK 25: ").append(ackVerdict(p25, c25)).append("** (this run: ").append(Report.ratio(p25, c25))
                .append(", ").append(MarkdownTable.fmt(p25)).append(" → ").append(MarkdownTable.fmt(c25))
                .append(" ms). JDK 17 with AppCDS: ").append(Report.ratio(p17, c17)).append(" (")
                .append(MarkdownTable.fmt(p17)).append(" → ").append(MarkdownTable.fmt(c17)).append(" ms).");
        double[] fp25 = samples(ack, "plain25", "masterMs"), fc25 = samples(ack, "cold25", "masterMs");
        double[] fp17 = samples(ack, "plain17", "masterMs"), fc17 = samples(ack, "cold17", "masterMs");
        if (fp25.length > 0 && fc25.length > 0) {
            b.append(" The fastest shot of each (the least disturbed by other work; no verdict on it): JDK 25 ")
                    .append(Report.ratio(Stats.percentile(fp25, 0), Stats.percentile(fc25, 0)));
            if (fp17.length > 0 && fc17.length > 0) {
                b.append(", JDK 17 ").append(Report.ratio(Stats.percentile(fp17, 0), Stats.percentile(fc17, 0)));
            }
            b.append('.');
        }
        double s25 = median(samples(ack, "standby25", "masterMs")), s17 = median(samples(ack, "standby17", "masterMs"));
        if (!Double.isNaN(s25) || !Double.isNaN(s17)) {
            b.append(" An activated standby is a different measure (its JVM started and refreshed the context before "
                    + "the kill; what is timed is the rest of the start): ").append(Report.ratio(p25, s25))
                    .append(" against plain on JDK 25, ").append(Report.ratio(p17, s17)).append(" on JDK 17.");
        }
        b.append("\n\n");

        Map<String, Object> ms = (Map<String, Object>) r.get("masterStart");
        b.append("### The master's start and footprint, with and without `-p`\n\n"
                + "In the first ").append(r.get("masterRounds")).append(" measured rounds, interleaved with the shots "
                + "above: a fresh master (`-n 1`; with `-p`: `--standby 0` and the cache the first start built, so a "
                + "cache hit) from starting `bin/einhorn` to its `===> Launched` line (the benchmark polls the log "
                + "every millisecond from a thread started before the master; client clock), the master's own "
                + "preparation time (its `Prepared the preload of generation 1 in N ms` line), and the master's PSS "
                + "(smaps_rollup) 2 s after the worker's ACK. The master's own JVM is the same for both rows (the "
                + "\"master JVM\" of the machine table), whichever JDK the workers use.\n\n");
        MarkdownTable mt = new MarkdownTable("workers' JDK", "start → first spawn, no -p, median (min–max) ms",
                "with -p, cache hit, median (min–max) ms", "extra (medians)", "verdict (< " + Math.round(MASTER_GOAL * 100) + " % extra)",
                "master's own preparation, median ms", "preparation / no-p start", "cache hits",
                "master PSS no -p / -p, MB (median)");
        List<String> sentences = new ArrayList<>();
        for (String jdk : SpringRun.JDKS) {
            double[] a = samples(ms, "plain" + jdk, "startToSpawnMs"), p = samples(ms, "preloaded" + jdk, "startToSpawnMs");
            double prep = median(samples(ms, "preloaded" + jdk, "preparedMs"));
            List<Object> hitList = ms.get("preloaded" + jdk) instanceof Map<?, ?> pm
                    ? (List<Object>) ((Map<String, Object>) pm).get("cacheHit") : null;
            long nHit = hitList == null ? 0 : hitList.stream().filter(Boolean.TRUE::equals).count();
            String verdict = masterVerdict(median(a), median(p));
            String prepShare = Double.isNaN(prep) || a.length == 0 ? "—"
                    : String.format(Locale.ROOT, "%.1f %%", prep / median(a) * 100);
            mt.row(jdk, MarkdownTable.fmt(median(a)) + " (" + range(a) + "), n=" + a.length,
                    MarkdownTable.fmt(median(p)) + " (" + range(p) + "), n=" + p.length, pct(median(p), median(a)),
                    verdict, prep, prepShare, hitList == null ? "—" : nHit + " of " + hitList.size(),
                    MarkdownTable.fmt(median(samples(ms, "plain" + jdk, "masterPssMb"))) + " / "
                            + MarkdownTable.fmt(median(samples(ms, "preloaded" + jdk, "masterPssMb"))));
            if (a.length > 0 && p.length > 0) {
                boolean overlap = Stats.percentile(p, 0) <= Stats.percentile(a, 100)
                        && Stats.percentile(a, 0) <= Stats.percentile(p, 100);
                sentences.add("JDK " + jdk + ": " + verdict + " by the medians (" + pct(median(p), median(a)) + ")"
                        + (overlap ? ", but the two ranges overlap, so the client-clock difference is within this run's "
                        + "noise" : "") + "; the master's own preparation took " + MarkdownTable.fmt(prep) + " ms, "
                        + prepShare + " of the start without -p, " + masterVerdict(median(a), median(a) + prep)
                        + " by that measure");
            }
        }
        b.append(mt.render()).append('\n');
        b.append("**Goal: a cache-hit start costs the master under ").append(Math.round(MASTER_GOAL * 100))
                .append(" % extra time to its first spawn.** ")
                .append(sentences.isEmpty() ? "Not measured in this run." : String.join(". ", sentences) + ".")
                .append(" The preparation figure is the more robust of the two: it is timed inside the master around "
                        + "the whole cache lookup (hashing what the key needs, checking the archive, building the "
                        + "launch), so the machine's load does not swing it the way it swings a whole JVM start; it "
                        + "leaves out what `-p` may add elsewhere in the master's start (option parsing, class "
                        + "loading before the lookup), which only the client-clock columns cover.\n");
        Report.reproduce(b, commands, "spring");
    }
}
