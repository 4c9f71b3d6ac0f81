package dev.einhorn.bench.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Section 2 of RESULTS.md: the memory of idle workers ({@code MemoryRun}). */
final class MemorySection {
    private MemorySection() {
    }

    @SuppressWarnings("unchecked")
    static void memory(StringBuilder b, Path out, Map<String, String> commands) throws IOException {
        b.append("## 2. Memory of idle workers (PSS, /proc/PID/smaps_rollup)\n\n");
        Map<String, Object> m = Report.readOrNull(out.resolve("memory.json"));
        if (m == null) {
            b.append(Report.NOT_RUN);
            return;
        }
        b.append("A fresh master per row with `-n N`; read after all ACKs and ").append(Report.f(m.get("settleMillis")))
                .append(" ms idle. PSS splits shared pages between the processes that map them (RSS would count them in "
                        + "every worker). MB = MiB.\n\n");
        MarkdownTable t = new MarkdownTable("variant", "workers", "total PSS MB", "PSS/worker MB", "Shared_Clean/worker MB",
                "Private_Dirty/worker MB", "RSS/worker MB", "workers mapping an archive", "master PSS MB");
        for (Object o : (List<Object>) m.get("rows")) {
            Map<String, Object> r = (Map<String, Object>) o;
            t.row(r.get("variant"), r.get("workers"), Report.f(r.get("totalPssMb")), Report.f(r.get("perWorkerPssMb")),
                    Report.f(r.get("perWorkerSharedCleanMb")), Report.f(r.get("perWorkerPrivateDirtyMb")), Report.f(r.get("perWorkerRssMb")),
                    r.get("workersMappingAnArchive"), Report.f(r.get("masterPssMb")));
        }
        b.append(t.render());
        Report.reproduce(b, commands, "memory");
    }
}
