package dev.einhorn.bench.run;

import dev.einhorn.bench.BenchJson;
import dev.einhorn.bench.Variants;
import dev.einhorn.bench.process.EinhornProcess;
import dev.einhorn.bench.process.ProcFs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PSS and Shared_Clean (smaps_rollup) of N idle workers of the app, per variant, and the master's own PSS. Each
 * set-up starts a fresh master with {@code -n N}, waits for all ACKs, lets the workers idle, then reads every
 * worker's smaps_rollup (twice, 1 s apart; the second reading is kept).
 */
public final class MemoryRun {
    private MemoryRun() {
    }

    public static Map<String, Object> run(Path out, List<String> variantIds, int[] counts, long settleMillis) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        List<Object> rows = new ArrayList<>();
        for (String id : variantIds) {
            Variants.Variant v = Variants.byId(id);
            for (int n : counts) {
                List<String> args = new ArrayList<>(List.of("-n", Integer.toString(n)));
                args.addAll(v.einhornArgs());
                try (EinhornProcess e = EinhornProcess.start(out.resolve("memory-" + id + "-" + n), args, Map.of())) {
                    List<Long> pids = e.awaitAcked(n, Duration.ofSeconds(240));
                    EinhornProcess.sleep(settleMillis);
                    ProcFs.Memory total = ProcFs.Memory.ZERO;
                    int mapped = 0;
                    for (long pid : pids) {
                        total = total.plus(ProcFs.memory(pid));
                        if (Probe.archiveMapped(pid, v)) mapped++;
                    }
                    ProcFs.Memory master = ProcFs.memory(e.pid());
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("variant", id);
                    r.put("label", v.label());
                    r.put("workers", n);
                    r.put("totalPssMb", total.pssKb() / 1024.0);
                    r.put("perWorkerPssMb", total.pssKb() / 1024.0 / n);
                    r.put("perWorkerSharedCleanMb", total.sharedCleanKb() / 1024.0 / n);
                    r.put("perWorkerPrivateDirtyMb", total.privateDirtyKb() / 1024.0 / n);
                    r.put("perWorkerRssMb", total.rssKb() / 1024.0 / n);
                    r.put("workersMappingAnArchive", mapped);
                    r.put("masterPssMb", master.pssKb() / 1024.0);
                    r.put("masterRssMb", master.rssKb() / 1024.0);
                    rows.add(r);
                    System.err.printf("[memory] %s n=%d total PSS %.1f MB, per worker %.1f MB (Shared_Clean %.1f MB), master %.1f MB%n",
                            id, n, total.pssKb() / 1024.0, total.pssKb() / 1024.0 / n,
                            total.sharedCleanKb() / 1024.0 / n, master.pssKb() / 1024.0);
                }
            }
        }
        result.put("settleMillis", settleMillis);
        result.put("rows", rows);
        BenchJson.write(out.resolve("memory.json"), result);
        return result;
    }
}
