package dev.einhorn.bench.report;

import dev.einhorn.bench.Stats;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The "Honest reading" of RESULTS.md: what this run's start-up, memory and load figures say, each figure and
 * verdict computed from them, with its threshold; a sentence whose figures are missing is left out.
 */
final class Reading {
    private Reading() {
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
    /**
     * The honest reading of this run: what is at the floor, what is not and why. Figures come from this run's
     * results; a sentence whose figures are missing is left out.
     */
    @SuppressWarnings("unchecked")
    static void reading(StringBuilder b, Path out) throws IOException {
        Map<String, Object> startup = Report.readOrNull(out.resolve("startup.json"));
        Map<String, Object> memory = Report.readOrNull(out.resolve("memory.json"));
        Map<String, Object> load = Report.readOrNull(out.resolve("load.json"));
        b.append("## Honest reading\n\n");
        Map<String, double[]> s = StartupSection.startupSamples(startup, "masterMs");
        List<String> items = new ArrayList<>();
        for (String[] jdk : new String[][] {{"17", "cds17", "AppCDS archive"}, {"25", "aot25", "AOT cache"}}) {
            String plain = "plain" + jdk[0], boot = "boot" + jdk[0], pre = jdk[1], hello = "hello" + jdk[0];
            if (!s.containsKey(plain) || !s.containsKey(pre)) continue;
            double rest = Stats.median(s.get(pre)) - (s.containsKey(hello) ? Stats.median(s.get(hello)) : Double.NaN);
            items.add("**Start-up, JDK " + jdk[0] + ":** a preloaded worker ACKs in " + Report.ms(s, pre) + " against " + Report.ms(s, plain)
                    + " for plain `java -jar` (" + Report.ratioOf(s, plain, pre) + "); the same Bootstrap command without the "
                    + jdk[2] + " takes " + Report.ms(s, boot) + ", so the archive alone gives " + Report.ratioOf(s, boot, pre)
                    + "; Bootstrap with -p's flags but no archive " + closeness(s, boot, plain) + " (" + boot + " / "
                    + plain + " " + Report.ratioOf(s, boot, plain) + "). "
                    + "Against the floor: " + (Double.isNaN(rest) ? "—" : MarkdownTable.fmt(rest) + " ms")
                    + " remain above the JVM hello world (" + Report.ms(s, hello) + "). The archive removes class loading, "
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
                    + "interleaves the variants so that a drift of the machine's speed hits them alike. (The master reads "
                    + "a preloaded worker's /proc files at most once a second, WorkerProbe.)");
        }
        Map<String, Object> p8 = memoryRow(memory, "plain17", 8), c8 = memoryRow(memory, "cds17", 8);
        Map<String, Object> p25 = memoryRow(memory, "plain25", 8), a8 = memoryRow(memory, "aot25", 8);
        if (p8 != null && c8 != null) {
            String m = "**Memory:** with 8 idle workers a preloaded JDK 17 worker costs " + Report.f(Report.num(c8, "perWorkerPssMb"))
                    + " MB PSS against " + Report.f(Report.num(p8, "perWorkerPssMb")) + " MB plain (Shared_Clean "
                    + Report.f(Report.num(c8, "perWorkerSharedCleanMb")) + " vs " + Report.f(Report.num(p8, "perWorkerSharedCleanMb"))
                    + " MB: the archive's pages are mapped at the same address in every worker and shared)";
            if (p25 != null && a8 != null) {
                m += "; JDK 25: " + Report.f(Report.num(a8, "perWorkerPssMb")) + " vs " + Report.f(Report.num(p25, "perWorkerPssMb")) + " MB";
            }
            Map<String, Object> b8 = memoryRow(memory, "boot17", 8), b25 = memoryRow(memory, "boot25", 8);
            if (b8 != null) {
                m += ". The archive alone (the same Bootstrap command without it): JDK 17 " + Report.f(Report.num(b8, "perWorkerPssMb"))
                        + " → " + Report.f(Report.num(c8, "perWorkerPssMb")) + " MB per worker";
                if (b25 != null && a8 != null) {
                    double before = Report.num(b25, "perWorkerPssMb"), after = Report.num(a8, "perWorkerPssMb");
                    double saved = before > 0 ? (before - after) / before : 0;
                    m += ", JDK 25 " + Report.f(before) + " → " + Report.f(after) + " MB (Private_Dirty "
                            + Report.f(Report.num(b25, "perWorkerPrivateDirtyMb")) + " → " + Report.f(Report.num(a8, "perWorkerPrivateDirtyMb"))
                            + (saved < MEMORY_SAVING_THRESHOLD
                                    ? " MB: less than " + Math.round(MEMORY_SAVING_THRESHOLD * 100) + " % less per worker, "
                                            + "so in this run the AOT cache bought start-up, not memory)"
                                    : " MB: " + Math.round(saved * 100) + " % less per worker in this run)");
                }
                m += "; plain `java -jar` to the same Bootstrap command without an archive: JDK 17 "
                        + Report.f(Report.num(p8, "perWorkerPssMb")) + " → " + Report.f(Report.num(b8, "perWorkerPssMb")) + " MB per worker (the -cp "
                        + "start itself, not the archive)";
            }
            Map<String, Object> p4 = memoryRow(memory, "plain17", 4), c4 = memoryRow(memory, "cds17", 4);
            if (p4 != null && c4 != null) {
                double gain4 = Report.num(p4, "perWorkerPssMb") - Report.num(c4, "perWorkerPssMb");
                double gain8 = Report.num(p8, "perWorkerPssMb") - Report.num(c8, "perWorkerPssMb");
                m += ". PSS saved per JDK 17 worker by the archive: " + Report.f(gain4) + " MB with 4 workers, " + Report.f(gain8)
                        + " MB with 8 (PSS splits the shared pages between the processes that map them)";
            }
            double privateShare = Report.num(c8, "perWorkerPrivateDirtyMb") / Report.num(c8, "perWorkerPssMb");
            m += ". Private_Dirty of a preloaded JDK 17 worker: " + Report.f(Report.num(c8, "perWorkerPrivateDirtyMb")) + " MB of its "
                    + Report.f(Report.num(c8, "perWorkerPssMb")) + " MB PSS (" + Math.round(privateShare * 100) + " %: heap, JIT code, "
                    + "thread stacks, which no archive shares). The master's own PSS in this part: "
                    + Report.f(Report.num(c8, "masterPssMb")) + " MB with `-p` against " + Report.f(Report.num(p8, "masterPssMb")) + " MB without.";
            items.add(m);
        }
        if (load != null) {
            List<Object> ops = (List<Object>) load.get("operations");
            List<String> up = new ArrayList<>();
            for (Object o : ops) {
                Map<String, Object> op = (Map<String, Object>) o;
                up.add(op.get("command") + " " + Report.f(op.get("settledSeconds")) + " s");
            }
            double spinup = Report.num(load.get("spinupSeconds"));
            double n = Report.num(load.get("workers"));
            String pacing = Double.isNaN(spinup) ? ""
                    : "; the master's pacing alone accounts for at least " + Report.f((n - 1) * spinup) + " s of an upgrade: after the "
                    + "first launch it starts at most one worker per `-s` interval (" + Report.f(spinup) + " s in this run, Einhorn's "
                    + "rule), and at most `--max-unacked` (default the CPU count) unacknowledged at once";
            items.add("**Upgrades under load:** " + load.get("requestsFailed") + " of " + load.get("requestsSent")
                    + " requests failed. Settled after (s): " + String.join(", ", up) + " with " + load.get("workers")
                    + " workers" + pacing + ". A reload (the master re-execs, workers stay) settles when its new "
                    + "generation is ACKed.");
        }
        if (items.isEmpty()) b.append("Nothing to read: the start-up, memory and load parts did not run.\n\n");
        for (String i : items) b.append("- ").append(i).append('\n');
        b.append('\n');
    }
    /** How the medians of a and c compare, in words computed from them. */
    static String closeness(Map<String, double[]> s, String a, String c) {
        if (!s.containsKey(a) || !s.containsKey(c)) return "was not compared with plain";
        double q = Stats.median(s.get(a)) / Stats.median(s.get(c));
        if (Math.abs(q - 1) <= 0.05) return "is within 5 % of plain";
        return String.format(Locale.ROOT, "is %.0f %% %s than plain", Math.abs(q - 1) * 100, q > 1 ? "slower" : "faster");
    }
    /**
     * Below this share of PSS saved per worker, the memory reading says the AOT cache bought start-up, not memory
     * (differences of a few percent are within what two runs of the same variant differ by).
     */
    static final double MEMORY_SAVING_THRESHOLD = 0.03;
}
