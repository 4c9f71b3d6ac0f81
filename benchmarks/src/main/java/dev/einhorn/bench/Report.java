package dev.einhorn.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders benchmarks/RESULTS.md from the JSON results of one run, and copies the charts and raw results. */
final class Report {
    /** JMH's JSON result of the {@code jmh} part of benchmarks/run (StartupBenchmark). */
    static final String JMH_FILE = "jmh-startup.json";

    private Report() {
    }

    static final String NOT_RUN = "Not run: `results/` holds no results of this part.\n\n";

    /** The results files of the parts, as the parts write them into out/. */
    static final List<String> PART_FILES = List.of("probe.json", "startup.json", JMH_FILE, "memory.json", "load.json",
            "load-timeline.csv", "load-upgrades.png", "overhead.json", "spring.json");

    /** The part that writes a results file (for the files whose name does not say it). */
    static String partOf(String file) {
        if (file.equals(JMH_FILE)) return "jmh";
        if (file.startsWith("load")) return "load";
        return file.substring(0, file.indexOf('.'));
    }

    /**
     * Brings the results of the parts that ran now (out/) into results/ and renders RESULTS.md from results/ alone:
     * a part that did not run now keeps its committed results file, its status row and its command (results/
     * status.tsv, commands.tsv, each row naming the run that wrote it); a part that ran now but wrote nothing loses
     * its old file, so its section says "not run" instead of showing an older run's figures.
     */
    static void write(Path out, Path results, Path md) throws IOException {
        Files.createDirectories(results);
        Map<String, String> ranNow = tsv(out.resolve("status.tsv"));
        for (String f : PART_FILES) {
            Path src = out.resolve(f);
            if (Files.exists(src)) Files.copy(src, results.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            else if (ranNow.containsKey(partOf(f))) Files.deleteIfExists(results.resolve(f));
        }
        Map<String, String> machine = Machine.describe();
        String run = machine.getOrDefault("date", "").replaceFirst("T(\\d\\d:\\d\\d).*", " $1") + ", commit "
                + machine.getOrDefault("commit", "").split(" ")[0] + ", " + machine.getOrDefault("CPU", "CPU unknown");
        Map<String, String> status = tsv(results.resolve("status.tsv"));
        ranNow.forEach((part, row) -> status.put(part, withRun(row, run)));
        writeTsv(results.resolve("status.tsv"), status);
        Map<String, String> commands = tsv(results.resolve("commands.tsv"));
        commands.putAll(tsv(out.resolve("commands.tsv")));
        writeTsv(results.resolve("commands.tsv"), commands);
        String rel = md.getParent().relativize(results).toString();
        Files.writeString(md, render(results, rel, commands, status, machine));
    }

    /**
     * A status row (status, seconds, load average) with the run that wrote it as a fourth field: benchmarks/run
     * writes it when the part ends; a row without one (a hand-written status.tsv) gets the rendering run's.
     */
    static String withRun(String row, String run) {
        List<String> f = new ArrayList<>(List.of(row.split("\t", -1)));
        if (f.size() >= 4 && !f.get(3).isBlank()) return row;
        while (f.size() < 3) f.add("");
        return String.join("\t", f.subList(0, 3)) + "\t" + run;
    }

    static void writeTsv(Path p, Map<String, String> rows) throws IOException {
        StringBuilder b = new StringBuilder();
        rows.forEach((k, v) -> b.append(k).append('\t').append(v).append('\n'));
        Files.writeString(p, b.toString());
    }

    static Map<String, String> tsv(Path p) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        if (!Files.exists(p)) return m;
        for (String line : Files.readAllLines(p)) {
            int tab = line.indexOf('\t');
            if (tab > 0) m.put(line.substring(0, tab), line.substring(tab + 1));
        }
        return m;
    }

    static Map<String, Object> readOrNull(Path p) throws IOException {
        return Files.exists(p) ? Json.read(p) : null;
    }

    @SuppressWarnings("unchecked")
    static String render(Path out, String resultsDir, Map<String, String> commands, Map<String, String> status,
                         Map<String, String> machine) throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("# Benchmark results\n\n");
        b.append("Written by `benchmarks/run` from the results files in [`").append(resultsDir).append("/`](")
                .append(resultsDir).append("/) (raw JSON/CSV, charts). Each section comes from the latest run of its "
                + "part (the parts table says when, at which commit, on which CPU); every figure is a measurement of that "
                + "run, compared only with baselines measured in the same run; nothing here is a test assertion. Re-run "
                + "everything with `benchmarks/run` (or some parts: `benchmarks/run startup|jmh|memory|load|overhead|spring`).\n\n");
        MarkdownTable mt = new MarkdownTable("", "");
        machine.forEach(mt::row);
        b.append("## Machine (of the run that rendered this report)\n\n").append(mt.render()).append('\n');
        if (!status.isEmpty()) {
            MarkdownTable st = new MarkdownTable("part", "status", "wall time", "load average at start (1, 5, 15 min)",
                    "run (UTC date, commit, CPU)");
            List<String> busy = new ArrayList<>();
            int cores = Integer.parseInt(machine.getOrDefault("nproc", "0"));
            for (Map.Entry<String, String> e : status.entrySet()) {
                String[] f = e.getValue().split("\t");
                String la = f.length > 2 ? f[2] : "";
                st.row(e.getKey(), f[0], f.length > 1 && !f[1].isBlank() ? f[1] + " s" : "", la,
                        f.length > 3 ? f[3] : "—");
                try {
                    if (!la.isBlank() && cores > 0 && Double.parseDouble(la.split(" ")[0]) > cores) {
                        busy.add("`" + e.getKey() + "` (" + la.split(" ")[0] + ")");
                    }
                } catch (NumberFormatException ignored) {
                    // not recorded
                }
            }
            b.append("Parts, each from the latest run of `benchmarks/run` that ran it (the machine table above is "
                    + "the one that rendered this report; a part's run is in the last column):\n\n")
                    .append(st.render()).append('\n');
            if (!busy.isEmpty()) {
                b.append("**Caveat: the machine was busy** when these parts started (1-minute load average above its ")
                        .append(cores).append(" cores): ").append(String.join(", ", busy)).append(". Other work on the "
                        + "same machine (or the run's own previous part) competed with them, so their absolute times "
                        + "and spread are inflated and noisy; ratios measured interleaved in the same part hold up "
                        + "better than absolute figures. Re-run on a quiet machine before quoting them.\n\n");
            }
        }

        Map<String, Object> probe = readOrNull(out.resolve("probe.json"));
        b.append("## What was not measured, and why\n\n");
        List<String> skips = new ArrayList<>();
        if (probe != null) {
            Map<String, Object> app = (Map<String, Object>) probe.get("app");
            if (Boolean.TRUE.equals(app.get("standIn"))) {
                skips.add("**The app is a stand-in.** `sample-app/target/http-hello.jar` does not exist in this checkout, so "
                        + "every \"app\" figure below uses `" + app.get("name") + "`, the TimeServer sample in `" + app.get("jar")
                        + "`: one line per connection, no HTTP, few classes (so it starts like a hello world). Re-run `benchmarks/run` once http-hello is built to get the real figures.");
            }
            ((Map<String, Object>) probe.get("variants")).forEach((id, r) -> {
                Map<String, Object> m = (Map<String, Object>) r;
                if (!Boolean.TRUE.equals(m.get("available"))) {
                    skips.add("`" + id + "` (" + m.get("label") + "): " + m.get("reason") + ".");
                }
            });
            Map<String, Object> cmds = (Map<String, Object>) probe.get("commands");
            cmds.forEach((c, has) -> {
                if (!Boolean.TRUE.equals(has)) {
                    skips.add("`" + c + "` under load: the master does not list `" + c + "` in `help` yet.");
                }
            });
        } else {
            skips.add("The probe did not run, so nothing is known of the variants.");
        }
        status.forEach((k, v) -> {
            if (!v.startsWith("ok")) skips.add("Part `" + k + "`: " + v.split("\t")[0] + ".");
        });
        if (skips.isEmpty()) b.append("Everything was measured.\n\n");
        else for (String s : skips) b.append("- ").append(s).append('\n');
        b.append('\n');

        reading(b, out);
        startup(b, out, commands, probe);
        jmh(b, out, commands);
        memory(b, out, commands);
        load(b, out, commands, resultsDir);
        overhead(b, out, commands);
        SpringReport.section(b, out, commands);
        return b.toString();
    }

    static String ms(Map<String, double[]> s, String id) {
        return s.containsKey(id) ? MarkdownTable.fmt(Stats.median(s.get(id))) + " ms" : "—";
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> memoryRow(Map<String, Object> memory, String variant, int workers) {
        if (memory == null) return null;
        for (Object o : (List<Object>) memory.get("rows")) {
            Map<String, Object> r = (Map<String, Object>) o;
            if (variant.equals(r.get("variant")) && ((Number) r.get("workers")).intValue() == workers) return r;
        }
        return null;
    }

    static double num(Map<String, Object> row, String key) {
        return row != null && row.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /**
     * The honest reading of this run: what is at the floor, what is not and why. Figures come from this run's
     * results; a sentence whose figures are missing is left out.
     */
    @SuppressWarnings("unchecked")
    static void reading(StringBuilder b, Path out) throws IOException {
        Map<String, Object> startup = readOrNull(out.resolve("startup.json"));
        Map<String, Object> memory = readOrNull(out.resolve("memory.json"));
        Map<String, Object> load = readOrNull(out.resolve("load.json"));
        b.append("## Honest reading\n\n");
        Map<String, double[]> s = startupSamples(startup, "masterMs");
        List<String> items = new ArrayList<>();
        for (String[] jdk : new String[][] {{"17", "cds17", "AppCDS archive"}, {"25", "aot25", "AOT cache"}}) {
            String plain = "plain" + jdk[0], boot = "boot" + jdk[0], pre = jdk[1], hello = "hello" + jdk[0];
            if (!s.containsKey(plain) || !s.containsKey(pre)) continue;
            double rest = Stats.median(s.get(pre)) - (s.containsKey(hello) ? Stats.median(s.get(hello)) : Double.NaN);
            items.add("**Start-up, JDK " + jdk[0] + ":** a preloaded worker ACKs in " + ms(s, pre) + " against " + ms(s, plain)
                    + " for plain `java -jar` (" + ratioOf(s, plain, pre) + "); the same Bootstrap command without the "
                    + jdk[2] + " takes " + ms(s, boot) + ", so the archive alone gives " + ratioOf(s, boot, pre)
                    + "; Bootstrap with -p's flags but no archive " + closeness(s, boot, plain) + " (" + boot + " / "
                    + plain + " " + ratioOf(s, boot, plain) + "). "
                    + "It is not at the floor: " + (Double.isNaN(rest) ? "—" : MarkdownTable.fmt(rest) + " ms")
                    + " remain above the JVM hello world (" + ms(s, hello) + "). The archive removes class loading, "
                    + "parsing and verification" + (jdk[0].equals("25") ? " and links the classes ahead of time" : "")
                    + "; what is left is running the app's start-up code (Jetty's initialization, thread pools, the "
                    + "socket), interpreted and JIT-compiled afresh in every worker: no archive of this JDK keeps "
                    + "compiled code or initialized app objects.");
        }
        if (!s.isEmpty()) {
            items.add("**Why the benchmark never polls `state` while a worker starts:** with `-p`, each `state` reads "
                    + "`/proc/PID/maps` and `/proc/PID/smaps_rollup` of every preloaded worker (master time and page-table "
                    + "walks of the very JVM that is starting), so an observer polling it would slow only the preloaded "
                    + "variants; the benchmark waits on the master's log, reads the master's own spawn-to-ACK, and "
                    + "interleaves the variants so that a drift of the machine's speed hits them alike. (The master now "
                    + "reads a preloaded worker's /proc files at most once a second, WorkerProbe.)");
        }
        Map<String, Object> p8 = memoryRow(memory, "plain17", 8), c8 = memoryRow(memory, "cds17", 8);
        Map<String, Object> p25 = memoryRow(memory, "plain25", 8), a8 = memoryRow(memory, "aot25", 8);
        if (p8 != null && c8 != null) {
            String m = "**Memory:** with 8 idle workers a preloaded JDK 17 worker costs " + f(num(c8, "perWorkerPssMb"))
                    + " MB PSS against " + f(num(p8, "perWorkerPssMb")) + " MB plain (Shared_Clean "
                    + f(num(c8, "perWorkerSharedCleanMb")) + " vs " + f(num(p8, "perWorkerSharedCleanMb"))
                    + " MB: the archive's pages are mapped at the same address in every worker and shared)";
            if (p25 != null && a8 != null) {
                m += "; JDK 25: " + f(num(a8, "perWorkerPssMb")) + " vs " + f(num(p25, "perWorkerPssMb")) + " MB";
            }
            Map<String, Object> b8 = memoryRow(memory, "boot17", 8), b25 = memoryRow(memory, "boot25", 8);
            if (b8 != null) {
                m += ". The archive alone (the same Bootstrap command without it): JDK 17 " + f(num(b8, "perWorkerPssMb"))
                        + " → " + f(num(c8, "perWorkerPssMb")) + " MB per worker";
                if (b25 != null && a8 != null) {
                    double before = num(b25, "perWorkerPssMb"), after = num(a8, "perWorkerPssMb");
                    double saved = before > 0 ? (before - after) / before : 0;
                    m += ", JDK 25 " + f(before) + " → " + f(after) + " MB (Private_Dirty "
                            + f(num(b25, "perWorkerPrivateDirtyMb")) + " → " + f(num(a8, "perWorkerPrivateDirtyMb"))
                            + (saved < 0.03
                                    ? " MB: the AOT cache's extra shared pages are offset by private ones, so in this run "
                                            + "it bought start-up, not memory)"
                                    : " MB: " + Math.round(saved * 100) + "% less per worker in this run)");
                }
                m += "; part of the difference from plain `java -jar` is the -cp start itself, not the archive";
            }
            m += ". The gain grows with the number of workers (PSS splits the shared pages between them). Most of a "
                    + "worker is still private (Private_Dirty " + f(num(c8, "perWorkerPrivateDirtyMb"))
                    + " MB: heap, JIT code, thread stacks), which no archive shares. The master's own PSS in this part: "
                    + f(num(c8, "masterPssMb")) + " MB with `-p` against " + f(num(p8, "masterPssMb")) + " MB without.";
            items.add(m);
        }
        if (load != null) {
            List<Object> ops = (List<Object>) load.get("operations");
            List<String> up = new ArrayList<>();
            for (Object o : ops) {
                Map<String, Object> op = (Map<String, Object>) o;
                up.add(op.get("command") + " " + f(op.get("settledSeconds")) + " s");
            }
            items.add("**Upgrades under load:** " + load.get("requestsFailed") + " of " + load.get("requestsSent")
                    + " requests failed. An upgrade of " + load.get("workers") + " workers takes several seconds ("
                    + String.join(", ", up) + ") not because a worker is slow to start but because after the first "
                    + "launch the master starts at most one worker per `-s` interval (default 1 s, Einhorn's rule), so "
                    + "an upgrade of N workers needs at least N seconds, more when a worker starting next to a loaded "
                    + "server takes longer than `-s` to ACK (at most `--max-unacked`, default the CPU count, start at "
                    + "once); a smaller `-s` makes it faster at the cost of starting workers together. A reload (the master re-execs, workers "
                    + "stay) settles when its new generation is ACKed.");
        }
        if (items.isEmpty()) b.append("Nothing to read: the start-up, memory and load parts did not run.\n\n");
        for (String i : items) b.append("- ").append(i).append('\n');
        b.append('\n');
    }

    static String f(Object o) {
        if (o instanceof Number n) return MarkdownTable.fmt(n.doubleValue());
        return o == null ? "—" : String.valueOf(o);
    }

    static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? "—" : String.format(Locale.ROOT, "%.2f×", a / b);
    }

    static void reproduce(StringBuilder b, Map<String, String> commands, String key) {
        String c = commands.get(key);
        if (c != null) b.append("\nReproduce: `benchmarks/run ").append(key).append("`, which runs\n\n```\n").append(c).append("\n```\n\n");
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
        Map<String, Object> startup = readOrNull(out.resolve("startup.json"));
        if (startup == null) {
            b.append(NOT_RUN);
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
                    id.equals("python") ? "1.00×" : ratio(med, py), id.startsWith("hello") || id.equals("python") ? "—" : ratio(med, floor));
        }
        b.append(t.render()).append('\n');
        ((Map<String, Object>) startup.get("variants")).forEach((id, v) -> {
            Object err = ((Map<String, Object>) v).get("error");
            if (err != null) b.append("- `").append(id).append("`: ").append(err).append('\n');
        });
        MarkdownTable r = new MarkdownTable("ratio", "value");
        r.row("plain `java -jar` / preloaded, JDK 17 (plain17 / cds17)", ratioOf(samples, "plain17", "cds17"));
        r.row("plain `java -jar` / preloaded, JDK 25 (plain25 / aot25)", ratioOf(samples, "plain25", "aot25"));
        r.row("the archive alone, JDK 17 (boot17 / cds17: same command, without / with the archive)", ratioOf(samples, "boot17", "cds17"));
        r.row("the archive alone, JDK 25 (boot25 / aot25)", ratioOf(samples, "boot25", "aot25"));
        r.row("Bootstrap and -p's flags without an archive vs `java -jar`, JDK 17 (boot17 / plain17)", ratioOf(samples, "boot17", "plain17"));
        r.row("JDK 25 / JDK 17, plain (plain25 / plain17)", ratioOf(samples, "plain25", "plain17"));
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
        reproduce(b, commands, "startup");
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

    static double num(Object o) {
        if (o instanceof Number n) return n.doubleValue();
        try {
            return o == null ? Double.NaN : Double.parseDouble(String.valueOf(o));
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
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
                    for (Object v : fl) shots.add(toMillis(num(v), unit));
                }
            }
            double score = toMillis(num(pm.get("score")), unit);
            double err = toMillis(num(pm.get("scoreError")), unit);
            m.put(String.valueOf(params.get("variant")), new JmhResult(Stats.toArray(shots), !shots.isEmpty(), score, err, forks));
        }
        return m;
    }

    /** Section 1b: the same shot under JMH (single shot, several forks, variants one after another). */
    @SuppressWarnings("unchecked")
    static void jmh(StringBuilder b, Path out, Map<String, String> commands) throws IOException {
        b.append("## 1b. Start-up with JMH (cross-check)\n\n");
        Path file = out.resolve(JMH_FILE);
        if (!Files.exists(file)) {
            b.append(NOT_RUN);
            return;
        }
        Map<String, JmhResult> jmh = jmhResults(Json.parse(Files.readString(file)));
        Map<String, double[]> client = startupSamples(readOrNull(out.resolve("startup.json")), "clientMs");
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
                    f(r.score()) + (Double.isNaN(r.scoreError()) ? "" : " ± " + f(r.scoreError())),
                    Double.isNaN(s1) ? "—" : s1, ratio(med, s1));
        }
        b.append(t.render()).append('\n');
        Map<String, double[]> jm = new LinkedHashMap<>();
        jmh.forEach((id, r) -> jm.put(id, new double[] {r.median()}));
        MarkdownTable r = new MarkdownTable("ratio", "JMH", "section 1 (interleaved, client time)");
        r.row("plain `java -jar` / preloaded, JDK 17 (plain17 / cds17)", ratioOf(jm, "plain17", "cds17"),
                ratioOf(client, "plain17", "cds17"));
        r.row("plain `java -jar` / preloaded, JDK 25 (plain25 / aot25)", ratioOf(jm, "plain25", "aot25"),
                ratioOf(client, "plain25", "aot25"));
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
        reproduce(b, commands, "jmh");
    }

    /** One sentence: the JMH ratios against section 1's (client time), and how far the medians are apart. */
    static String jmhComparison(Map<String, double[]> jmh, Map<String, double[]> client) {
        List<String> parts = new ArrayList<>();
        for (String[] p : new String[][] {{"plain17", "cds17", "JDK 17"}, {"plain25", "aot25", "JDK 25"}}) {
            if (jmh.containsKey(p[0]) && jmh.containsKey(p[1]) && client.containsKey(p[0]) && client.containsKey(p[1])) {
                parts.add(p[2] + " " + ratioOf(jmh, p[0], p[1]) + " against " + ratioOf(client, p[0], p[1]));
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
            s += " JMH's medians are all higher, the app's variants by " + MarkdownTable.fmt(dLo) + "–"
                    + MarkdownTable.fmt(dHi) + " ms each; an added time of that size on both sides of a ratio "
                    + "shrinks it toward 1; a likely cause (not "
                    + "measured here) is that each JMH fork is a fresh JVM whose JIT and GC threads still compete for this "
                    + "machine's cores during its few shots, while section 1's runner is one warmed-up JVM.";
        }
        return s;
    }

    /** How the medians of a and c compare, in words computed from them. */
    static String closeness(Map<String, double[]> s, String a, String c) {
        if (!s.containsKey(a) || !s.containsKey(c)) return "was not compared with plain";
        double q = Stats.median(s.get(a)) / Stats.median(s.get(c));
        if (Math.abs(q - 1) <= 0.05) return "is within 5 % of plain";
        return String.format(Locale.ROOT, "is %.0f %% %s than plain", Math.abs(q - 1) * 100, q > 1 ? "slower" : "faster");
    }

    static String ratioOf(Map<String, double[]> s, String a, String c) {
        if (!s.containsKey(a) || !s.containsKey(c)) return "—";
        return ratio(Stats.median(s.get(a)), Stats.median(s.get(c)));
    }

    @SuppressWarnings("unchecked")
    static void memory(StringBuilder b, Path out, Map<String, String> commands) throws IOException {
        b.append("## 2. Memory of idle workers (PSS, /proc/PID/smaps_rollup)\n\n");
        Map<String, Object> m = readOrNull(out.resolve("memory.json"));
        if (m == null) {
            b.append(NOT_RUN);
            return;
        }
        b.append("A fresh master per row with `-n N`; read after all ACKs and ").append(f(m.get("settleMillis")))
                .append(" ms idle. PSS splits shared pages between the processes that map them (RSS would count them in "
                        + "every worker). MB = MiB.\n\n");
        MarkdownTable t = new MarkdownTable("variant", "workers", "total PSS MB", "PSS/worker MB", "Shared_Clean/worker MB",
                "Private_Dirty/worker MB", "RSS/worker MB", "workers mapping an archive", "master PSS MB");
        for (Object o : (List<Object>) m.get("rows")) {
            Map<String, Object> r = (Map<String, Object>) o;
            t.row(r.get("variant"), r.get("workers"), f(r.get("totalPssMb")), f(r.get("perWorkerPssMb")),
                    f(r.get("perWorkerSharedCleanMb")), f(r.get("perWorkerPrivateDirtyMb")), f(r.get("perWorkerRssMb")),
                    r.get("workersMappingAnArchive"), f(r.get("masterPssMb")));
        }
        b.append(t.render());
        reproduce(b, commands, "memory");
    }

    @SuppressWarnings("unchecked")
    static void load(StringBuilder b, Path out, Map<String, String> commands, String resultsDir) throws IOException {
        b.append("## 3. Load during upgrades\n\n");
        Map<String, Object> m = readOrNull(out.resolve("load.json"));
        if (m == null) {
            b.append(NOT_RUN);
            return;
        }
        b.append("App: ").append(m.get("app")).append(" (").append(m.get("protocol")).append("), ").append(m.get("workers"))
                .append(" workers, variant `").append(m.get("variant")).append("`; ").append(m.get("clientThreads"))
                .append(" closed-loop client threads on 127.0.0.1 in the runner's JVM, ").append(f(m.get("durationSeconds")))
                .append(" s; the first ").append(f(m.get("warmupSeconds")))
                .append(" s are warm-up (counted in sent/failed, not in the latency rows). \"During\" = requests started between sending a command and the pool being back to N acked "
                        + "workers of the new version (or generation, for reload).\n\n");
        MarkdownTable t = new MarkdownTable("", "requests", "req/s", "p50 ms", "p99 ms");
        Map<String, Object> st = (Map<String, Object>) m.get("steady");
        Map<String, Object> du = (Map<String, Object>) m.get("duringOperations");
        t.row("steady state", st.get("requests"), f(st.get("requestsPerSecond")), f(st.get("p50Ms")), f(st.get("p99Ms")));
        t.row("during operations", du.get("requests"), f(du.get("requestsPerSecond")), f(du.get("p50Ms")), f(du.get("p99Ms")));
        b.append(t.render()).append('\n');
        b.append("Requests sent: **").append(m.get("requestsSent")).append("**, failed: **").append(m.get("requestsFailed"))
                .append("**");
        Map<String, Object> fk = (Map<String, Object>) m.get("failuresByKind");
        if (fk != null && !fk.isEmpty()) b.append(" (").append(fk).append(")");
        b.append(".\n\n");
        MarkdownTable ops = new MarkdownTable("#", "command", "at s", "reply after s", "settled after s", "ok", "last reply");
        int i = 0;
        for (Object o : (List<Object>) m.get("operations")) {
            Map<String, Object> op = (Map<String, Object>) o;
            ops.row(++i, op.get("command"), f(op.get("startS")), f(op.get("replySeconds")), f(op.get("settledSeconds")),
                    op.get("ok"), op.get("note"));
        }
        if (ops.size() > 0) b.append(ops.render()).append('\n');
        List<Object> skipped = (List<Object>) m.get("skippedCommands");
        if (skipped != null && !skipped.isEmpty()) b.append("Not exercised (the master lacks them): ").append(skipped).append(".\n\n");
        b.append("![throughput and latency during upgrades](").append(resultsDir).append("/load-upgrades.png)\n\n");
        b.append("Timeline data: [`").append(resultsDir).append("/load-timeline.csv`](").append(resultsDir).append("/load-timeline.csv).\n");
        reproduce(b, commands, "load");
    }

    @SuppressWarnings("unchecked")
    static void overhead(StringBuilder b, Path out, Map<String, String> commands) throws IOException {
        b.append("## 4. Master overhead\n\n");
        Map<String, Object> m = readOrNull(out.resolve("overhead.json"));
        if (m == null) {
            b.append(NOT_RUN);
            return;
        }
        Map<String, Object> py = (Map<String, Object>) m.get("python4");
        if (py != null) masterVsFloor(b, py);
        b.append("### The master's other costs\n\n");
        b.append("Workers are `sleep 600` with a 0.5 s timer ACK, so only the master works.\n\n");
        MarkdownTable t = new MarkdownTable("figure", "value");
        for (String k : List.of("stateRtt", "incRtt", "decRtt")) {
            Map<String, Object> s = (Map<String, Object>) m.get(k);
            String name = k.replace("Rtt", "");
            t.row("`" + name + "` round trip p50 / p99 / max (ms, " + s.get("n") + " on one connection)",
                    f(s.get("p50Ms")) + " / " + f(s.get("p99Ms")) + " / " + f(s.get("maxMs")));
        }
        Map<String, Object> idle = (Map<String, Object>) m.get("idle");
        t.row("master CPU idle with " + idle.get("workers") + " workers (utime+stime over " + f(idle.get("windowSeconds")) + " s)",
                f(idle.get("cpuSeconds")) + " s = " + f(idle.get("cpuPercent")) + " % of a core");
        t.row("master PSS with 8 workers (MB)", f(idle.get("masterPssMb")));
        Map<String, Object> burst = (Map<String, Object>) m.get("burst");
        t.row("spawn burst at start-up (`-n 50`): span first→last spawn", f(burst.get("spanSeconds")) + " s = "
                + f(burst.get("spawnsPerSecond")) + " spawns/s (" + f(burst.get("meanMillisPerSpawn")) + " ms each)");
        Map<String, Object> sw = (Map<String, Object>) m.get("setWorkers");
        t.row("`set_workers 50` from 1 (`-s 0.001 --max-unacked 100`, gradual replenish: one spawn per loop turn): command to 50 children in `state`", f(sw.get("seconds")) + " s = "
                + f(sw.get("spawnsPerSecond")) + " spawns/s");
        b.append(t.render());
        reproduce(b, commands, "overhead");
    }

    /** Goals the overhead part is checked against: the master's PSS with 4 workers, and the upgrade's margin. */
    static final double PSS_GOAL_MB = 24, UPGRADE_MARGIN_GOAL_S = 0.3;

    /** Section 4's first table: the master with 4 python workers beside the JVM floor, both from this run. */
    @SuppressWarnings("unchecked")
    static void masterVsFloor(StringBuilder b, Map<String, Object> py) {
        Map<String, Object> master = (Map<String, Object>) py.get("master");
        Map<String, Object> floor = (Map<String, Object>) py.get("floor");
        Map<String, Object> first = (Map<String, Object>) master.get("firstImage");
        Map<String, Object> after = (Map<String, Object>) master.get("afterUpgrades");
        Map<String, Object> reloads = (Map<String, Object>) master.get("reloads");
        Map<String, Object> fm = (Map<String, Object>) floor.get("memory");
        Map<String, Object> up = (Map<String, Object>) master.get("smoothUpgrade");
        b.append("### The master with 4 python workers, beside the JVM floor\n\n");
        b.append("`").append(master.get("command")).append("`. The floor is a JDK-only process with the master's JVM flags (`")
                .append(floor.get("flags")).append("`) that answers each request line with the master's `ehlo` reply; it runs beside the master, and the `ehlo` "
                + "round trips alternate between the two in batches, so the machine's load weighs on both alike. ")
                .append("PSS depends on what else maps the same files (the JDK's libjvm.so and class-data archive are shared with ")
                .append("every other JVM of that JDK on the machine); USS (private pages) does not. The master's own class-data ")
                .append("archive was ").append(Boolean.TRUE.equals(master.get("archiveMapped")) ? "mapped" : "**not** mapped")
                .append(" after the upgrades.\n\n");
        MarkdownTable t = new MarkdownTable("figure", "master", "JVM floor", "master − floor");
        t.row("PSS at start (MB)", f(first.get("pssMb")), f(fm.get("pssMb")), diff(first.get("pssMb"), fm.get("pssMb")));
        t.row("PSS after " + up.get("n") + " smooth upgrades (MB)", f(after.get("pssMb")), f(fm.get("pssMb")),
                diff(after.get("pssMb"), fm.get("pssMb")));
        t.row("USS at start / after the upgrades (MB)", f(first.get("ussMb")) + " / " + f(after.get("ussMb")),
                f(fm.get("ussMb")), diff(after.get("ussMb"), fm.get("ussMb")));
        t.row("threads", count(after.get("threads")), count(fm.get("threads")),
                countDiff(after.get("threads"), fm.get("threads")));
        Map<String, Object> mi = (Map<String, Object>) master.get("idle");
        Map<String, Object> fi = (Map<String, Object>) floor.get("idle");
        t.row("idle CPU over " + f(mi.get("windowSeconds")) + " s (% of a core)", f(mi.get("cpuPercent")), f(fi.get("cpuPercent")),
                diff(mi.get("cpuPercent"), fi.get("cpuPercent")));
        for (String k : List.of("ehloRtt", "ehloRttAfterUpgrades")) {
            Map<String, Object> ms = (Map<String, Object>) master.get(k);
            // the floor's batches alternate with the master's (both keys); older runs measured the floor once
            Map<String, Object> fs = (Map<String, Object>) floor.getOrDefault(k, floor.get("ehloRtt"));
            String when = k.equals("ehloRtt") ? "at start" : "after the upgrades";
            t.row("`ehlo` round trip p50 " + when + " (ms, " + ms.get("n") + " on one connection)", f(ms.get("p50Ms")),
                    f(fs.get("p50Ms")), diff(ms.get("p50Ms"), fs.get("p50Ms")));
            t.row("`ehlo` round trip p99 " + when + " (ms)", f(ms.get("p99Ms")), f(fs.get("p99Ms")), diff(ms.get("p99Ms"), fs.get("p99Ms")));
        }
        double upMedian = num(up.get("medianSeconds"));
        double pacing = num(up.get("pacingFloorSeconds"));
        t.row("smooth upgrade, `upgrade` to its last reply (s, median of " + up.get("n") + ")", f(upMedian),
                f(pacing) + " (pacing: 3 × `-s 1`)", diff(upMedian, pacing));
        t.row("JVM start: master column `bin/einhorn --upgrade-check` as a reload runs it, floor column a hello world "
                + "with the master's flags (s, median of 5)", f(floor.get("upgradeCheckSeconds")), f(floor.get("jvmStartSeconds")),
                diff(floor.get("upgradeCheckSeconds"), floor.get("jvmStartSeconds")));
        Map<String, Object> rm = (Map<String, Object>) reloads.get("memory");
        Map<String, Object> r1 = (Map<String, Object>) reloads.get("afterFirst");
        if (r1 == null) r1 = Map.of();
        t.row("after 1 / " + reloads.get("n") + " more reloads: PSS (MB)", f(r1.get("pssMb")) + " / " + f(rm.get("pssMb")), "—",
                diff(rm.get("pssMb"), r1.get("pssMb")) + " from the 1st to the last");
        t.row("after 1 / " + reloads.get("n") + " more reloads: USS (MB), fds, threads", f(r1.get("ussMb")) + ", " + count(r1.get("fds"))
                        + ", " + count(r1.get("threads")) + " / " + f(rm.get("ussMb")) + ", " + count(rm.get("fds")) + ", "
                        + count(rm.get("threads")), "—",
                "USS " + diff(rm.get("ussMb"), r1.get("ussMb")) + " MB, fds " + countDiff(rm.get("fds"), r1.get("fds")));
        t.row("one reload, `reload` to the new image's first log line (s, median)", f(reloads.get("medianSeconds")), "—", "—");
        b.append(t.render()).append('\n');
        double pss = num(after.get("pssMb"));
        b.append("Goals, checked against this run's figures: master PSS with 4 workers at most ").append(f(PSS_GOAL_MB))
                .append(" MB: ").append(verdict(pss <= PSS_GOAL_MB, f(pss) + " MB after the upgrades, " + f(first.get("pssMb")) + " MB at start"))
                .append("; smooth upgrade within ").append(f(UPGRADE_MARGIN_GOAL_S)).append(" s of its pacing: ")
                .append(verdict(upMedian - pacing <= UPGRADE_MARGIN_GOAL_S, f(upMedian - pacing) + " s over"))
                .append("; idle CPU 0: ").append(verdict(num(mi.get("cpuSeconds")) == 0, f(mi.get("cpuSeconds")) + " s"))
                .append("; no growth over the reloads (USS at most 1 MB more and the same fds after the last than after the first): ")
                .append(verdict(num(rm.get("ussMb")) - num(r1.get("ussMb")) <= 1 && num(rm.get("fds")) == num(r1.get("fds")),
                        diff(rm.get("ussMb"), r1.get("ussMb")) + " MB, fds " + countDiff(rm.get("fds"), r1.get("fds"))))
                .append(".\n\n");
    }

    static String verdict(boolean met, String detail) {
        return (met ? "met" : "**not met**") + " (" + detail + ")";
    }

    static String count(Object o) {
        return o instanceof Number n ? Long.toString(n.longValue()) : "—";
    }

    static String countDiff(Object a, Object c) {
        if (!(a instanceof Number x) || !(c instanceof Number y)) return "—";
        long d = x.longValue() - y.longValue();
        return (d > 0 ? "+" : "") + d;
    }

    static String diff(Object a, Object c) {
        double d = num(a) - num(c);
        if (Double.isNaN(d)) return "—";
        return (d > 0 ? "+" : "") + MarkdownTable.fmt(d);
    }
}
