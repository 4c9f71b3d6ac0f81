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
    private Report() {
    }

    static void write(Path out, Path results, Path md) throws IOException {
        Files.createDirectories(results);
        for (String f : List.of("probe.json", "jmh-startup.json", "memory.json", "load.json", "load-timeline.csv",
                "load-upgrades.png", "overhead.json")) {
            Path src = out.resolve(f);
            if (Files.exists(src)) Files.copy(src, results.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            else Files.deleteIfExists(results.resolve(f));
        }
        Map<String, String> commands = tsv(out.resolve("commands.tsv"));
        Map<String, String> status = tsv(out.resolve("status.tsv"));
        String rel = md.getParent().relativize(results).toString();
        Files.writeString(md, render(out, rel, commands, status, Machine.describe()));
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
        b.append("Written by `benchmarks/run` from one run on the machine below. Every figure is a measurement of this\n"
                + "run, compared only with baselines measured in the same run; nothing here is a test assertion.\n"
                + "Raw results (JSON/CSV) and charts are in [`").append(resultsDir).append("/`](").append(resultsDir)
                .append("/). Re-run everything with `benchmarks/run` (or one part: `benchmarks/run startup|memory|load|overhead`).\n\n");
        MarkdownTable mt = new MarkdownTable("", "");
        machine.forEach(mt::row);
        b.append("## Machine\n\n").append(mt.render()).append('\n');
        if (!status.isEmpty()) {
            MarkdownTable st = new MarkdownTable("part", "status", "wall time", "load average at start (1, 5, 15 min)");
            double worst = 0;
            for (Map.Entry<String, String> e : status.entrySet()) {
                String[] f = e.getValue().split("\t");
                String la = f.length > 2 ? f[2] : "";
                st.row(e.getKey(), f[0], f.length > 1 ? f[1] + " s" : "", la);
                try {
                    if (!la.isBlank()) worst = Math.max(worst, Double.parseDouble(la.split(" ")[0]));
                } catch (NumberFormatException ignored) {
                    // not recorded
                }
            }
            b.append("Parts of this run:\n\n").append(st.render()).append('\n');
            int cores = Integer.parseInt(machine.getOrDefault("nproc", "0"));
            if (cores > 0 && worst > cores) {
                b.append("**Caveat: the machine was busy.** The 1-minute load average reached ").append(MarkdownTable.fmt(worst))
                        .append(" on ").append(cores).append(" cores while parts ran (other work on the same machine), so "
                        + "absolute times, their spread and the JDK-vs-JDK ratios are noisy; re-run on a quiet machine "
                        + "before quoting them. Counts (requests failed) and memory are less affected.\n\n");
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

        startup(b, out, commands, probe);
        memory(b, out, commands);
        load(b, out, commands, resultsDir);
        overhead(b, out, commands);
        return b.toString();
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

    /** Medians of the JMH single-shot samples (all forks), per variant. */
    @SuppressWarnings("unchecked")
    static Map<String, double[]> jmhSamples(Object jmh) {
        Map<String, double[]> out = new LinkedHashMap<>();
        if (!(jmh instanceof List<?> list)) return out;
        for (Object o : list) {
            Map<String, Object> bm = (Map<String, Object>) o;
            Map<String, Object> params = (Map<String, Object>) bm.get("params");
            String variant = params == null ? String.valueOf(bm.get("benchmark")) : String.valueOf(params.get("variant"));
            Map<String, Object> pm = (Map<String, Object>) bm.get("primaryMetric");
            List<Double> all = new ArrayList<>();
            for (Object fork : (List<Object>) pm.get("rawData")) {
                for (Object v : (List<Object>) fork) all.add(((Number) v).doubleValue());
            }
            out.put(variant, Stats.toArray(all));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static void startup(StringBuilder b, Path out, Map<String, String> commands, Map<String, Object> probe) throws IOException {
        b.append("## 1. Start-up: spawn to ACK through the real master (JMH, single shot)\n\n");
        Path p = out.resolve("jmh-startup.json");
        if (!Files.exists(p)) {
            b.append("Not run in this run.\n\n");
            return;
        }
        Map<String, double[]> samples = jmhSamples(Json.parse(Files.readString(p)));
        b.append("Each shot: `inc` on a master in manual-ACK mode, then `state` polled every 5 ms until the new worker "
                + "is ACKed (time from sending `inc`, which spawns at once, to the ACK seen in `state`). Milliseconds; "
                + "median over all forks' measured shots (fewer shots than the others = some failed; the console of "
                + "`benchmarks/run` has JMH's error). The JVM floor is the hello-world worker of the same JDK.\n\n");
        MarkdownTable t = new MarkdownTable("variant", "what", "median ms", "min ms", "max ms", "shots", "× python", "× JVM floor");
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
                    id.equals("python") ? "1.00×" : ratio(med, py), id.startsWith("hello") || id.equals("python") ? "—" : ratio(med, floor));
        }
        b.append(t.render()).append('\n');
        MarkdownTable r = new MarkdownTable("ratio", "value");
        r.row("plain / preloaded, JDK 17 (plain17 / cds17)", ratioOf(samples, "plain17", "cds17"));
        r.row("plain / preloaded, JDK 25 (plain25 / aot25)", ratioOf(samples, "plain25", "aot25"));
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

    static String ratioOf(Map<String, double[]> s, String a, String c) {
        if (!s.containsKey(a) || !s.containsKey(c)) return "—";
        return ratio(Stats.median(s.get(a)), Stats.median(s.get(c)));
    }

    @SuppressWarnings("unchecked")
    static void memory(StringBuilder b, Path out, Map<String, String> commands) throws IOException {
        b.append("## 2. Memory of idle workers (PSS, /proc/PID/smaps_rollup)\n\n");
        Map<String, Object> m = readOrNull(out.resolve("memory.json"));
        if (m == null) {
            b.append("Not run in this run.\n\n");
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
            b.append("Not run in this run.\n\n");
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
            b.append("Not run in this run.\n\n");
            return;
        }
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
}
