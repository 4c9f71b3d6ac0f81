package dev.einhorn.bench.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Section 3 of RESULTS.md: load during upgrades ({@code LoadRun}). */
final class LoadSection {
    private LoadSection() {
    }

    @SuppressWarnings("unchecked")
    static void load(StringBuilder b, Path out, Map<String, String> commands, String resultsDir) throws IOException {
        b.append("## 3. Load during upgrades\n\n");
        Map<String, Object> m = Report.readOrNull(out.resolve("load.json"));
        if (m == null) {
            b.append(Report.NOT_RUN);
            return;
        }
        b.append("App: ").append(m.get("app")).append(" (").append(m.get("protocol")).append("), ").append(m.get("workers"))
                .append(" workers, variant `").append(m.get("variant")).append("`; ").append(m.get("clientThreads"))
                .append(" closed-loop client threads on 127.0.0.1 in the runner's JVM, ").append(Report.f(m.get("durationSeconds")))
                .append(" s; the first ").append(Report.f(m.get("warmupSeconds")))
                .append(" s are warm-up (counted in sent/failed, not in the latency rows). \"During\" = requests started between sending a command and the pool being back to N acked "
                        + "workers of the new version (or generation, for reload).\n\n");
        MarkdownTable t = new MarkdownTable("", "requests", "req/s", "p50 ms", "p99 ms");
        Map<String, Object> st = (Map<String, Object>) m.get("steady");
        Map<String, Object> du = (Map<String, Object>) m.get("duringOperations");
        t.row("steady state", st.get("requests"), Report.f(st.get("requestsPerSecond")), Report.f(st.get("p50Ms")), Report.f(st.get("p99Ms")));
        t.row("during operations", du.get("requests"), Report.f(du.get("requestsPerSecond")), Report.f(du.get("p50Ms")), Report.f(du.get("p99Ms")));
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
            ops.row(++i, op.get("command"), Report.f(op.get("startS")), Report.f(op.get("replySeconds")), Report.f(op.get("settledSeconds")),
                    op.get("ok"), op.get("note"));
        }
        if (ops.size() > 0) b.append(ops.render()).append('\n');
        List<Object> skipped = (List<Object>) m.get("skippedCommands");
        if (skipped != null && !skipped.isEmpty()) b.append("Not exercised (the master lacks them): ").append(skipped).append(".\n\n");
        b.append("![throughput and latency during upgrades](").append(resultsDir).append("/load-upgrades.png)\n\n");
        b.append("Timeline data: [`").append(resultsDir).append("/load-timeline.csv`](").append(resultsDir).append("/load-timeline.csv).\n");
        Report.reproduce(b, commands, "load");
    }
}
