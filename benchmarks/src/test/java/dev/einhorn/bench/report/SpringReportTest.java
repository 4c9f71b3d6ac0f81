package dev.einhorn.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpringReportTest {
    static final String SPRING = """
            {"app": {"name": "spring-hello", "jar": "sample-app/spring-hello/target/spring-hello.jar", "jarMb": 21.0},
             "nproc": 2, "roundsPlanned": 5, "warmupRounds": 1, "roundsMeasured": 3, "masterRounds": 2,
             "budgetSeconds": 360, "order": "interleaved", "loadAverages": ["9.5 8 7", "12.25 9 8"],
             "standbysMeasured": true, "wallSeconds": 300.0,
             "firstStart": {"17": {"startToFirstAckMs": 32000.0, "layout": "spring-boot", "classes_archived": 13995,
                                   "classes_failed": 326, "training_s": 23.1, "archiveMb": 80.9,
                                   "archiveKind": "AppCDS archive"}},
             "ack": {"plain25": {"masterMs": [4000.0, 5000.0, 6000.0], "clientMs": [4010.0, 5010.0, 6010.0]},
                     "cold25": {"masterMs": [2000.0, 2500.0, 3000.0], "clientMs": [2010.0, 2510.0, 3010.0]},
                     "plain17": {"masterMs": [4000.0], "clientMs": [4010.0]},
                     "cold17": {"masterMs": [3000.0], "clientMs": [3010.0]}},
             "masterStart": {"plain17": {"startToSpawnMs": [1000.0, 1200.0], "masterPssMb": [40.0, 42.0]},
                             "preloaded17": {"startToSpawnMs": [1050.0, 1150.0], "masterPssMb": [44.0, 46.0],
                                             "preparedMs": [30.0, 50.0], "cacheHit": [true, true]}},
             "errors": {"standby25": "shot failed: boom"}}
            """;

    @Test
    void verdictsComeFromTheMediansGiven() {
        assertEquals("met", SpringReport.ackVerdict(5000, 2500));
        assertEquals("not met", SpringReport.ackVerdict(5000, 2800));
        assertEquals("not measured", SpringReport.ackVerdict(Double.NaN, 2800));
        assertEquals("met", SpringReport.masterVerdict(1000, 1090));
        assertEquals("not met", SpringReport.masterVerdict(1000, 1100));
        assertEquals("met", SpringReport.masterVerdict(1000, 900));
    }

    @Test
    void rendersTheSectionFromTheResultsFileAlone(@TempDir Path results) throws Exception {
        Files.writeString(results.resolve("spring.json"), SPRING);
        StringBuilder b = new StringBuilder();
        SpringReport.section(b, results, Map.of("spring", "java -cp benchmarks/target/benchmarks.jar X spring"));
        String md = b.toString();
        assertTrue(md.contains("**The machine was busy during this part:** the 1-minute load average, sampled before "
                + "the part and after every round, was 9.50–12.3 on 2 cores"), md);
        assertTrue(md.contains("| 17 | AppCDS archive | 32.0 | 23.1 | 13995 | 326 | 80.9 | spring-boot |"), md);
        assertTrue(md.contains("| 25 | — | not measured |"), md);
        assertTrue(md.contains("| cold25 | preloaded (`-p --standby 0`), AOT cache, JDK 25 | 2500 | 2000–3000 | 3 | 2510 | 2.00× |"), md);
        assertTrue(md.contains("on JDK 25: met** (this run: 2.00×, 5000 → 2500 ms). JDK 17 with AppCDS: 1.33×"), md);
        assertTrue(md.contains("The fastest shot of each (the least disturbed by other work; no verdict on it): JDK 25 "
                + "2.00×, JDK 17 1.33×."), md);
        assertTrue(md.contains("- `standby25`: shot failed: boom"), md);
        assertTrue(md.contains("| 17 | 1100 (1000–1200), n=2 | 1100 (1050–1150), n=2 | +0 % | met | 40.0 | 3.6 % | 2 of 2 | 41.0 / 45.0 |"), md);
        assertTrue(md.contains("JDK 17: met by the medians (+0 %), but the two ranges overlap, so the client-clock "
                + "difference is within this run's noise; the master's own preparation took 40.0 ms, 3.6 % of the start "
                + "without -p, met by that measure."), md);
        assertTrue(md.contains("java -cp benchmarks/target/benchmarks.jar X spring"), md);
        assertTrue(!md.contains("/work/") && !md.contains("/tmp/"), md);
    }

    @Test
    void saysNotRunWithoutAResultsFile(@TempDir Path results) throws Exception {
        StringBuilder b = new StringBuilder();
        SpringReport.section(b, results, Map.of());
        assertTrue(b.toString().endsWith(Report.NOT_RUN), b.toString());
    }
}
