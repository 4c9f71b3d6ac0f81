package dev.einhorn.bench.report;

import dev.einhorn.bench.BenchJson;
import dev.einhorn.bench.Machine;
import dev.einhorn.bench.Stats;
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
public final class Report {
    /** JMH's JSON result of the {@code jmh} part of benchmarks/run (StartupBenchmark). */
    static final String JMH_FILE = "jmh-startup.json";
    private Report() {
    }

    static final String NOT_RUN = "Not run: `results/` holds no results of this part.\n\n";
    /** The parts of benchmarks/run this report shows (the standby part has STANDBY-RESULTS.md). */
    static final List<String> PARTS = List.of("probe", "startup", "jmh", "memory", "load", "overhead", "spring");
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
    public static void write(Path out, Path results, Path md) throws IOException {
        Files.createDirectories(results);
        Map<String, String> ranNow = tsv(out.resolve("status.tsv"));
        ranNow.keySet().retainAll(PARTS); // the standby part has its own report
        for (String f : PART_FILES) {
            Path src = out.resolve(f);
            if (Files.exists(src)) Files.copy(src, results.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            else if (ranNow.containsKey(partOf(f))) Files.deleteIfExists(results.resolve(f));
        }
        Map<String, String> machine = Machine.describe();
        String run = machine.getOrDefault("date", "").replaceFirst("T(\\d\\d:\\d\\d).*", " $1") + ", commit "
                + machine.getOrDefault("commit", "").split(" ")[0] + ", " + machine.getOrDefault("CPU", "CPU unknown");
        Map<String, String> status = tsv(results.resolve("status.tsv"));
        status.keySet().retainAll(PARTS);
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
    /** Whether the parts' results come from one run of benchmarks/run or several (each status row names its run). */
    static String runsSentence(Map<String, String> status) {
        java.util.Set<String> runs = new java.util.LinkedHashSet<>();
        for (String row : status.values()) {
            String[] f = row.split("\t");
            runs.add(f.length > 3 ? f[3] : "unknown");
        }
        if (runs.size() == 1) return "All parts come from one run: " + runs.iterator().next() + ".";
        return "**The parts come from " + runs.size() + " different runs** (last column): figures of different sections "
                + "were not measured together, so compare them across sections with care. `benchmarks/run` with no "
                + "arguments measures every part in one run.";
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
        return Files.exists(p) ? BenchJson.read(p) : null;
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
                    "run (UTC start, commit, CPU)");
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
            b.append(runsSentence(status)).append("\n\n");
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

        Reading.reading(b, out);
        StartupSection.startup(b, out, commands, probe);
        StartupSection.jmh(b, out, commands);
        MemorySection.memory(b, out, commands);
        LoadSection.load(b, out, commands, resultsDir);
        OverheadSection.overhead(b, out, commands);
        SpringReport.section(b, out, commands);
        return b.toString();
    }
    static String ms(Map<String, double[]> s, String id) {
        return s.containsKey(id) ? MarkdownTable.fmt(Stats.median(s.get(id))) + " ms" : "—";
    }
    static double num(Map<String, Object> row, String key) {
        return row != null && row.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
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
    static double num(Object o) {
        if (o instanceof Number n) return n.doubleValue();
        try {
            return o == null ? Double.NaN : Double.parseDouble(String.valueOf(o));
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
    static String ratioOf(Map<String, double[]> s, String a, String c) {
        if (!s.containsKey(a) || !s.containsKey(c)) return "—";
        return ratio(Stats.median(s.get(a)), Stats.median(s.get(c)));
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
