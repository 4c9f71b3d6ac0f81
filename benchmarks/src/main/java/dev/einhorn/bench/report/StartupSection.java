package dev.einhorn.bench.report;

import dev.einhorn.bench.BenchJson;
import dev.einhorn.bench.Stats;
import dev.einhorn.bench.Variants;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Sections 1 and 1b of RESULTS.md: spawn to ACK through the real master ({@code StartupRun}, interleaved), and
 * the same shot under JMH ({@code StartupBenchmark}, a cross-check) beside it.
 */
final class StartupSection {
    private StartupSection() {
    }

    /** The master-measured spawn-to-ACK samples (ms) of startup.json, per variant (variants without any left out). */
    @SuppressWarnings("unchecked")
    static Map<String, double[]> startupSamples(Map<String, Object> startup, String key) {
        Map<String, double[]> out = new LinkedHashMap<>();
        if (startup == null) return out;
        ((Map<String, Object>) startup.get("variants")).forEach((id, v) -> {
            Object list = ((Map<String, Object>) v).get(key);
            if (list instanceof List<?> l && !l.isEmpty()) out.put(id, Stats.toArray((List<Number>) l));
        });
        return out;
    }
    @SuppressWarnings("unchecked")
    static void startup(StringBuilder b, Path out, Map<String, String> commands, Map<String, Object> probe) throws IOException {
        b.append("## 1. Start-up: spawn to ACK through the real master\n\n");
        Map<String, Object> startup = Report.readOrNull(out.resolve("startup.json"));
        if (startup == null) {
            b.append(Report.NOT_RUN);
            return;
        }
        Map<String, double[]> samples = startupSamples(startup, "masterMs");
        Map<String, double[]> client = startupSamples(startup, "clientMs");
        b.append("One idle master per variant (`-n 1 -s 0.05`, manual ACK). Each shot: `inc`, then the benchmark reads the "
                + "master's log until the new worker's ACK line appears (it asks the master nothing while the worker "
                + "starts), then takes that worker's `ack_latency_s` from `state --json`: spawn to ACK on the master's "
                + "own clock. ").append(startup.get("rounds")).append(" rounds (after ").append(startup.get("warmupRounds"))
                .append(" warm-up round), each one shot per variant in a shuffled order, so a machine that speeds up or "
                + "slows down during the run affects every variant alike. Milliseconds, median of the shots; \"client\" "
                + "is the median time from sending `inc` to reading the ACK line (the master's figure plus the command "
                + "round trip and the log read). The JVM floor is the hello-world worker of the same JDK.\n\n");
        MarkdownTable t = new MarkdownTable("variant", "what", "median ms", "min ms", "max ms", "shots", "client median ms",
                "× python", "× JVM floor");
        Map<String, Object> variants = probe == null ? Map.of() : (Map<String, Object>) probe.get("variants");
        double py = samples.containsKey("python") ? Stats.median(samples.get("python")) : Double.NaN;
        for (String id : Variants.IDS) {
            double[] s = samples.get(id);
            if (s == null) continue;
            double med = Stats.median(s);
            String floorId = id.endsWith("25") ? "hello25" : "hello17";
            double floor = samples.containsKey(floorId) ? Stats.median(samples.get(floorId)) : Double.NaN;
            Object label = variants.containsKey(id) ? ((Map<String, Object>) variants.get(id)).get("label") : id;
            t.row(id, label, med, Stats.percentile(s, 0), Stats.percentile(s, 100), s.length,
                    client.containsKey(id) ? Stats.median(client.get(id)) : "—",
                    id.equals("python") ? "1.00×" : Report.ratio(med, py), id.startsWith("hello") || id.equals("python") ? "—" : Report.ratio(med, floor));
        }
        b.append(t.render()).append('\n');
        ((Map<String, Object>) startup.get("variants")).forEach((id, v) -> {
            Object err = ((Map<String, Object>) v).get("error");
            if (err != null) b.append("- `").append(id).append("`: ").append(err).append('\n');
        });
        MarkdownTable r = new MarkdownTable("ratio", "value");
        r.row("plain `java -jar` / preloaded, JDK 17 (plain17 / cds17)", Report.ratioOf(samples, "plain17", "cds17"));
        r.row("plain `java -jar` / preloaded, JDK 25 (plain25 / aot25)", Report.ratioOf(samples, "plain25", "aot25"));
        r.row("the archive alone, JDK 17 (boot17 / cds17: same command, without / with the archive)", Report.ratioOf(samples, "boot17", "cds17"));
        r.row("the archive alone, JDK 25 (boot25 / aot25)", Report.ratioOf(samples, "boot25", "aot25"));
        r.row("Bootstrap and -p's flags without an archive vs `java -jar`, JDK 17 (boot17 / plain17)", Report.ratioOf(samples, "boot17", "plain17"));
        r.row("JDK 25 / JDK 17, plain (plain25 / plain17)", Report.ratioOf(samples, "plain25", "plain17"));
        b.append(r.render());
        b.append("\n(— = a side of the ratio was not measured; see the list above.)\n");
        if (probe != null) {
            MarkdownTable pr = new MarkdownTable("variant", "first start to ACK, s (probe, cold caches, incl. archive build)", "archive mapped");
            variants.forEach((id, v) -> {
                Map<String, Object> m = (Map<String, Object>) v;
                if (m.containsKey("firstAckSeconds")) {
                    pr.row(id, m.get("firstAckSeconds"), m.containsKey("archiveMapped") ? String.valueOf(m.get("archiveMapped")) : "n/a");
                }
            });
            b.append("\nFirst start of each variant (the probe; master start included):\n\n").append(pr.render());
        }
        Report.reproduce(b, commands, "startup");
    }
    /** JMH's figures of one variant: the shots (ms) and whether they are JMH's raw data or only its score. */
    record JmhResult(double[] shots, boolean raw, double score, double scoreError, int forks) {
        double median() {
            return raw ? Stats.median(shots) : score;
        }
    }
    static double toMillis(double v, String unit) {
        String u = unit == null ? "ms/op" : unit;
        if (u.startsWith("ns")) return v / 1e6;
        if (u.startsWith("us")) return v / 1e3;
        if (u.startsWith("s/")) return v * 1e3;
        if (u.startsWith("min")) return v * 60e3;
        return v;
    }
    /**
     * Per variant ({@code params.variant}), the StartupBenchmark results of JMH's JSON (a list of results): every
     * measured single shot of every fork ({@code primaryMetric.rawData}), in ms; when a result has no raw data,
     * only its score (for single shots, the mean).
     */
    @SuppressWarnings("unchecked")
    static Map<String, JmhResult> jmhResults(Object json) {
        Map<String, JmhResult> m = new LinkedHashMap<>();
        if (!(json instanceof List<?> results)) return m;
        for (Object o : results) {
            Map<String, Object> r = (Map<String, Object>) o;
            if (!String.valueOf(r.get("benchmark")).contains("StartupBenchmark")) continue;
            Map<String, Object> params = (Map<String, Object>) r.get("params");
            Map<String, Object> pm = (Map<String, Object>) r.get("primaryMetric");
            if (params == null || pm == null || !params.containsKey("variant")) continue;
            String unit = (String) pm.get("scoreUnit");
            List<Double> shots = new ArrayList<>();
            int forks = 0;
            if (pm.get("rawData") instanceof List<?> forkList) {
                for (Object f : forkList) {
                    if (!(f instanceof List<?> fl) || fl.isEmpty()) continue;
                    forks++;
                    for (Object v : fl) shots.add(toMillis(Report.num(v), unit));
                }
            }
            double score = toMillis(Report.num(pm.get("score")), unit);
            double err = toMillis(Report.num(pm.get("scoreError")), unit);
            m.put(String.valueOf(params.get("variant")), new JmhResult(Stats.toArray(shots), !shots.isEmpty(), score, err, forks));
        }
        return m;
    }
    /** Section 1b: the same shot under JMH (single shot, several forks, variants one after another). */
    @SuppressWarnings("unchecked")
    static void jmh(StringBuilder b, Path out, Map<String, String> commands) throws IOException {
        b.append("## 1b. Start-up with JMH (cross-check)\n\n");
        Path file = out.resolve(Report.JMH_FILE);
        if (!Files.exists(file)) {
            b.append(Report.NOT_RUN);
            return;
        }
        Map<String, JmhResult> jmh = jmhResults(BenchJson.parse(Files.readString(file)));
        Map<String, double[]> client = startupSamples(Report.readOrNull(out.resolve("startup.json")), "clientMs");
        b.append("`StartupBenchmark` (JMH, mode SingleShotTime): a fresh master per variant and fork (`-n 1 -s 0.05`, "
                + "manual ACK); each shot sends `inc` and reads the master's log until the new worker's ACK line "
                + "appears (it never polls `state`), so it is the client-side time of section 1 (\"client median\"), "
                + "not the master's own clock. JMH runs each variant's forks one after another. Milliseconds; ");
        boolean anyScoreOnly = jmh.values().stream().anyMatch(r -> !r.raw());
        b.append(anyScoreOnly
                ? "the median is of JMH's raw shots (`primaryMetric.rawData`, all forks) where JMH wrote them; rows marked "
                        + "\"score\" had none and show JMH's score (the mean of the shots) instead.\n\n"
                : "the median is of JMH's raw shots (`primaryMetric.rawData`, all forks pooled); JMH's own score is the "
                        + "mean, shown with its 99.9 % error.\n\n");
        MarkdownTable t = new MarkdownTable("variant", "median ms (JMH)", "from", "min ms", "max ms", "shots", "forks",
                "JMH score (mean) ms", "section 1 client median ms", "JMH / section 1");
        for (String id : Variants.IDS) {
            JmhResult r = jmh.get(id);
            if (r == null) continue;
            double med = r.median();
            double s1 = client.containsKey(id) ? Stats.median(client.get(id)) : Double.NaN;
            t.row(id, med, r.raw() ? "raw shots" : "score", r.raw() ? Stats.percentile(r.shots(), 0) : "—",
                    r.raw() ? Stats.percentile(r.shots(), 100) : "—", r.shots().length, r.forks(),
                    Report.f(r.score()) + (Double.isNaN(r.scoreError()) ? "" : " ± " + Report.f(r.scoreError())),
                    Double.isNaN(s1) ? "—" : s1, Report.ratio(med, s1));
        }
        b.append(t.render()).append('\n');
        Map<String, double[]> jm = new LinkedHashMap<>();
        jmh.forEach((id, r) -> jm.put(id, new double[] {r.median()}));
        MarkdownTable r = new MarkdownTable("ratio", "JMH", "section 1 (interleaved, client time)");
        r.row("plain `java -jar` / preloaded, JDK 17 (plain17 / cds17)", Report.ratioOf(jm, "plain17", "cds17"),
                Report.ratioOf(client, "plain17", "cds17"));
        r.row("plain `java -jar` / preloaded, JDK 25 (plain25 / aot25)", Report.ratioOf(jm, "plain25", "aot25"),
                Report.ratioOf(client, "plain25", "aot25"));
        b.append(r.render()).append('\n');
        List<String> missing = new ArrayList<>();
        for (String id : List.of("plain17", "cds17", "plain25", "aot25", "hello17", "hello25", "python")) {
            if (!jmh.containsKey(id) && client.containsKey(id)) missing.add("`" + id + "`");
        }
        if (!missing.isEmpty()) {
            b.append("No JMH result for ").append(String.join(", ", missing))
                    .append(" although section 1 measured it (not asked for, or its fork failed: see the console output of benchmarks/run).\n\n");
        }
        b.append("How it compares: ").append(jmhComparison(jm, client)).append(" Section 1 stays the primary figure "
                + "because JMH runs all shots of one variant, then all of the next, so a drift of this shared machine's "
                + "speed during the run lands on whichever variant ran then and goes straight into the ratios, while "
                + "section 1 takes one shot of every variant per round in a shuffled order (drift hits all alike) and "
                + "reads the master's own spawn-to-ACK.\n");
        Report.reproduce(b, commands, "jmh");
    }
    /** One sentence: the JMH ratios against section 1's (client time), and how far the medians are apart. */
    static String jmhComparison(Map<String, double[]> jmh, Map<String, double[]> client) {
        List<String> parts = new ArrayList<>();
        for (String[] p : new String[][] {{"plain17", "cds17", "JDK 17"}, {"plain25", "aot25", "JDK 25"}}) {
            if (jmh.containsKey(p[0]) && jmh.containsKey(p[1]) && client.containsKey(p[0]) && client.containsKey(p[1])) {
                parts.add(p[2] + " " + Report.ratioOf(jmh, p[0], p[1]) + " against " + Report.ratioOf(client, p[0], p[1]));
            }
        }
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (String id : jmh.keySet()) {
            if (!client.containsKey(id)) continue;
            double q = jmh.get(id)[0] / Stats.median(client.get(id));
            lo = Math.min(lo, q);
            hi = Math.max(hi, q);
        }
        if (parts.isEmpty() && Double.isInfinite(lo)) return "section 1 did not run, so there is nothing to compare with.";
        String s = parts.isEmpty() ? "" : "JMH's plain/preloaded ratios are " + String.join(", ", parts) + " in section 1";
        double dLo = Double.POSITIVE_INFINITY, dHi = Double.NEGATIVE_INFINITY;
        for (String id : jmh.keySet()) {
            if (!client.containsKey(id) || id.equals("python") || id.startsWith("hello")) continue; // the app's variants
            double d = jmh.get(id)[0] - Stats.median(client.get(id));
            dLo = Math.min(dLo, d);
            dHi = Math.max(dHi, d);
        }
        if (!Double.isInfinite(lo)) {
            s += (s.isEmpty() ? "JMH's medians are " : "; its medians are ")
                    + String.format(Locale.ROOT, "%.2f–%.2f×", lo, hi) + " section 1's client medians";
        }
        s += ".";
        if (lo > 1.05 && !Double.isInfinite(dLo)) {
            s += " JMH's medians are all more than 5 % higher, the app's variants by " + MarkdownTable.fmt(dLo) + "–"
                    + MarkdownTable.fmt(dHi) + " ms each; an added time of that size on both sides of a ratio "
                    + "shrinks it toward 1; a likely cause (not "
                    + "measured here) is that each JMH fork is a fresh JVM whose JIT and GC threads still compete for this "
                    + "machine's cores during its few shots, while section 1's runner is one warmed-up JVM.";
        }
        return s;
    }
}
