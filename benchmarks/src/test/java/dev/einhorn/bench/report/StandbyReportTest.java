package dev.einhorn.bench.report;

import dev.einhorn.bench.BenchJson;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StandbyReportTest {
    static final String RUN = """
            {"args": {"rounds": 3, "warmup": 1, "seed": 1, "references": "hello17,hello25,python", "upgrade_rounds": 2},
             "machine": {"nproc": "2", "JDK 17 (workers)": "openjdk version \\"17.0.15\\""},
             "loadAverage": {"start": "1.50 1.00 0.90", "afterActivations": "1.80 1.20 1.00", "end": "3.10 2.00 1.50"},
             "seconds": 300, "app": "http-hello", "rounds": 3, "order": "interleaved",
             "ackMs": {"plain17": [400.0, 500.0, 600.0], "cold17": [300.0], "standby17": [20.0, 30.0, 40.0],
                       "plain25": [450.0], "cold25": [250.0], "standby25": [40.0],
                       "hello17": [80.0], "hello25": [90.0], "python": [35.0]},
             "killToServingMs": {"plain17": [700.0], "cold17": [500.0], "standby17": [35.0]},
             "pss": {"standby17": {"standbyPssKb": 46080, "workerPssKb": 51200}},
             "upgrade": {"workers": 4, "rounds": 2, "order": "interleaved",
               "upgradeMs": {"plain17": [8000.0, 9000.0], "cold17": [6000.0], "standby17": [3000.0], "standby4_17": [2500.0]},
               "activations": {"plain17": [0, 0], "cold17": [0], "standby17": [4], "standby4_17": [4]},
               "failures": []}}
            """;

    @Test
    @SuppressWarnings("unchecked")
    void verdictsComeFromTheRunsOwnMedians() {
        String md = StandbyReport.render((Map<String, Object>) BenchJson.parse(RUN), "results/standby.json");
        // JDK 17: 500 / 30 = 16.7x, 30 < 80 (hello17), 30 < 35 (python)
        assertTrue(md.contains("ACKs at least 15× sooner than plain `java -jar`: met (16.7×, 30 ms vs 500 ms)"), md);
        assertTrue(md.contains("sooner than the JVM hello world of JDK 17: met (30 ms vs 80 ms)"), md);
        // JDK 25: 450 / 40 = 11.3x, 40 > 35 (python)
        assertTrue(md.contains("**not met** (11.3×, 40 ms vs 450 ms)"), md);
        assertTrue(md.contains("sooner than the python worker: **not met** (40 ms vs 35 ms)"), md);
        assertTrue(md.contains("| 500 (400-600) |"), md);
        assertTrue(md.contains("plain / 4 standbys 3.4×, cold / 4 standbys 2.4×): with standbys the upgrade's median was below both plain's and cold preloaded's in this run"), md);
        assertTrue(md.contains("| 45.0 | 50.0 |"), md);
        assertTrue(md.contains("**Read with care: the machine was busy** (1-minute load average up to 3.10 on 2 cores"), md);
        assertTrue(md.contains("BenchMain standby out=benchmarks/out rounds=3 warmup=1 seed=1"), md);
        assertFalse(md.contains("/work/") || md.contains("/tmp/") || md.contains("/usr/"), md);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aQuietRunIsNotFlaggedAndAMissingUpgradeSaysSo() {
        Map<String, Object> run = (Map<String, Object>) BenchJson.parse(RUN);
        run.remove("upgrade");
        run.put("loadAverage", Map.of("start", "0.50 0.40 0.30"));
        String md = StandbyReport.render(run, "results/standby.json");
        assertFalse(md.contains("machine was busy"), md);
        assertTrue(md.contains("## Smooth upgrade of 4 workers\n\nNot run in this run."), md);
    }
}
