package dev.einhorn.bench.report;

import dev.einhorn.bench.BenchJson;
import dev.einhorn.bench.process.LoadClient;
import dev.einhorn.bench.run.LoadRun;
import dev.einhorn.bench.run.StartupRun;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    static final String STARTUP = """
            {"rounds": 3, "warmupRounds": 1, "variants": {
              "plain17": {"masterMs": [400.0, 500.0, 600.0], "clientMs": [403.0, 504.0, 602.0]},
              "boot17": {"masterMs": [480.0, 520.0], "clientMs": [483.0, 522.0]},
              "cds17": {"masterMs": [250.0, 240.0, 260.0], "clientMs": [253.0, 243.0, 263.0]},
              "python": {"masterMs": [50.0], "clientMs": [52.0]},
              "hello17": {"masterMs": [100.0], "clientMs": [102.0]},
              "aot25": {"error": "master did not start: boom"}}}
            """;

    static final String PYTHON4 = """
            {"master": {"command": "bin/einhorn -n 4 -m manual -s 1.0 -b 127.0.0.1:0 -- python3 benchmarks/workers/ack_server.py",
              "firstImage": {"pssMb": 30.0, "ussMb": 25.0, "privateDirtyMb": 14.0, "rssMb": 49.0, "threads": 15, "fds": 32},
              "ehloRtt": {"n": 2000, "p50Ms": 0.2, "p99Ms": 1.5, "maxMs": 9.0},
              "idle": {"windowSeconds": 10.0, "cpuSeconds": 0.0, "cpuPercent": 0.0},
              "smoothUpgrade": {"n": 5, "workers": 4, "spinupSeconds": 1.0, "seconds": [3.2, 3.25, 3.4], "medianSeconds": 3.25,
                "pacingFloorSeconds": 3.0},
              "ehloRttAfterUpgrades": {"n": 2000, "p50Ms": 0.15, "p99Ms": 1.0, "maxMs": 5.0},
              "afterUpgrades": {"pssMb": 23.5, "ussMb": 20.0, "privateDirtyMb": 12.5, "rssMb": 45.0, "threads": 15, "fds": 32},
              "archiveMapped": true,
              "reloads": {"n": 100, "medianSeconds": 0.3,
                "afterFirst": {"pssMb": 21.0, "ussMb": 19.5, "rssMb": 44.0, "threads": 15, "fds": 32},
                "memory": {"pssMb": 24.0, "ussMb": 22.0, "rssMb": 46.0, "threads": 15, "fds": 32}}},
             "floor": {"flags": "-XX:+UseSerialGC", "ehloRtt": {"n": 2000, "p50Ms": 0.05, "p99Ms": 0.5, "maxMs": 2.0},
              "memoryAtStart": {"pssMb": 18.0, "ussMb": 12.5, "privateDirtyMb": 6.0, "rssMb": 36.0, "threads": 13, "fds": 8},
              "memory": {"pssMb": 17.5, "ussMb": 12.0, "privateDirtyMb": 6.2, "rssMb": 36.0, "threads": 13, "fds": 8},
              "ehloRttAfterUpgrades": {"n": 2000, "p50Ms": 0.05, "p99Ms": 0.4, "maxMs": 2.0},
              "idle": {"windowSeconds": 10.0, "cpuSeconds": 0.0, "cpuPercent": 0.0}, "jvmStartSeconds": 0.11, "jvmStarts": 5,
              "upgradeCheckSeconds": 0.02}}
            """;

    @Test
    @SuppressWarnings("unchecked")
    void fewerFdsAfterTheReloadsIsNoGrowth() {
        String json = PYTHON4.replace("\"memory\": {\"pssMb\": 24.0, \"ussMb\": 22.0, \"rssMb\": 46.0, \"threads\": 15, \"fds\": 32}",
                "\"memory\": {\"pssMb\": 21.0, \"ussMb\": 19.8, \"rssMb\": 44.0, \"threads\": 15, \"fds\": 31}");
        assertTrue(!json.equals(PYTHON4));
        StringBuilder b = new StringBuilder();
        OverheadSection.masterVsFloor(b, (Map<String, Object>) BenchJson.parse(json));
        assertTrue(b.toString().contains("no more fds than after the first): met (+0.300 MB, fds -1)"), b.toString());
    }

    @Test
    @SuppressWarnings("unchecked")
    void theMasterBesideItsFloorWithVerdictsFromTheFigures() {
        StringBuilder b = new StringBuilder();
        OverheadSection.masterVsFloor(b, (Map<String, Object>) BenchJson.parse(PYTHON4));
        String md = b.toString();
        assertTrue(md.contains("| PSS at start (MB) | 30.0 | 18.0 | +12.0 |"), md); // the floor as measured at the same moment
        assertTrue(md.contains("| private dirty at start / after the upgrades (MB) | 14.0 / 12.5 | 6.00 / 6.20 | +6.30 |"), md);
        assertTrue(md.contains("| `ehlo` round trip p99 at start (ms) | 1.50 | 0.500 | +1.00 |"), md);
        assertTrue(md.contains("| `ehlo` round trip p99 after the upgrades (ms) | 1.00 | 0.400 | +0.600 |"), md);
        assertTrue(md.contains("with the master's flags (s, median of 5) | 0.020 | 0.110 | -0.090 |"), md);
        assertTrue(md.contains("| 3.25 | 3.00 (pacing: 3 × `-s 1.00`) | +0.250 |"), md);
        assertTrue(md.contains("at most 24.0 MB: met (23.5 MB after the upgrades, 30.0 MB at start)"), md);
        assertTrue(md.contains("within 0.300 s of its pacing: met (0.250 s over)"), md);
        assertTrue(md.contains("no growth over the reloads (after the last, USS at most 1.00 MB more and no more fds than "
                + "after the first): **not met** (+2.50 MB, fds 0)"), md);
        assertTrue(md.contains("archive was mapped"), md);
        assertTrue(md.contains("| threads | 15 | 13 | +2 |"), md);
        assertTrue(md.contains("| 19.5, 32, 15 / 22.0, 32, 15 | — | USS +2.50 MB, fds 0 |"), md);
        assertTrue(!md.contains("/work/") && !md.contains("/tmp/"), md);
    }

    @Test
    @SuppressWarnings("unchecked")
    void startupSamplesPerVariantSkipVariantsWithoutShots() {
        Map<String, double[]> s = StartupSection.startupSamples((Map<String, Object>) BenchJson.parse(STARTUP), "masterMs");
        assertArrayEquals(new double[] {400, 500, 600}, s.get("plain17"));
        assertArrayEquals(new double[] {250, 240, 260}, s.get("cds17"));
        assertTrue(!s.containsKey("aot25"));
    }

    @Test
    void ackLinesOfTheMastersLogAreFound() {
        String log = "[MASTER 7] INFO: ===> Launched 41 (index: 1)\n[MASTER 7] INFO: Received a manual ACK from 40\n"
                + "[41] serving\n[MASTER 7] INFO: Received a manual ACK from 41\n[MASTER 7] INFO: Up to 2 / 2 manual ACKs\n";
        assertEquals(List.of(40L, 41L), StartupRun.ackedPids(log));
        assertEquals(List.of(), StartupRun.ackedPids("[MASTER 7] INFO: Received a manual ACK from "));
    }

    @Test
    void rendersStartupRatiosSkipsAndMissingParts(@TempDir Path out) throws Exception {
        Files.writeString(out.resolve("startup.json"), STARTUP);
        Map<String, Object> probe = new LinkedHashMap<>();
        probe.put("app", Map.of("name", "TimeServer (stand-in)", "jar", "x.jar", "http", false, "standIn", true));
        Map<String, Object> variants = new LinkedHashMap<>();
        variants.put("plain17", Map.of("label", "plain", "available", true, "firstAckSeconds", 0.9));
        variants.put("aot25", Map.of("label", "aot", "available", false, "reason", "no preload yet"));
        probe.put("variants", variants);
        probe.put("commands", Map.of("upgrade", true, "reload", false));
        BenchJson.write(out.resolve("probe.json"), probe);
        String md = Report.render(out, "results", Map.of("startup", "java -jar benchmarks.jar X"),
                Map.of("memory", "timed out after 420 s\t420"), Map.of("nproc", "2"));
        assertTrue(md.contains("| plain17 | plain | 500 | 400 | 600 | 3 | 504 | 10.00× | 5.00× |"), md);
        assertTrue(md.contains("| plain `java -jar` / preloaded, JDK 17 (plain17 / cds17) | 2.00× |"), md);
        assertTrue(md.contains("(boot17 / cds17: same command, without / with the archive) | 2.00× |"), md);
        assertTrue(md.contains("| plain `java -jar` / preloaded, JDK 25 (plain25 / aot25) | — |"), md);
        assertTrue(md.contains("- `aot25`: master did not start: boom"), md);
        assertTrue(md.contains("a preloaded worker ACKs in 250 ms against 500 ms for plain `java -jar` (2.00×)"), md);
        assertTrue(md.contains("150 ms remain above the JVM hello world (100 ms)"), md);
        assertTrue(md.contains("`aot25` (aot): no preload yet."), md);
        assertTrue(md.contains("`reload` under load"), md);
        assertTrue(md.contains("**The app is a stand-in.**"), md);
        assertTrue(md.contains("Part `memory`: timed out after 420 s."), md);
        assertTrue(md.contains("java -jar benchmarks.jar X"), md);
        assertTrue(md.contains("## 2. Memory of idle workers (PSS, /proc/PID/smaps_rollup)\n\n" + Report.NOT_RUN), md);
    }

    static final String JMH = """
            [{"benchmark": "dev.einhorn.bench.run.StartupBenchmark.spawnToAck", "mode": "ss", "forks": 2,
              "params": {"variant": "plain17"},
              "primaryMetric": {"score": 487.5, "scoreError": 120.0, "scoreUnit": "ms/op",
                                "rawData": [[400.0, 500.0], [600.0, 450.0]]}},
             {"benchmark": "dev.einhorn.bench.run.StartupBenchmark.spawnToAck", "mode": "ss", "forks": 2,
              "params": {"variant": "cds17"},
              "primaryMetric": {"score": 250.0, "scoreError": "NaN", "scoreUnit": "ms/op",
                                "rawData": [[250.0], [240.0, 260.0]]}},
             {"benchmark": "dev.einhorn.bench.run.StartupBenchmark.spawnToAck", "mode": "ss", "forks": 1,
              "params": {"variant": "aot25"},
              "primaryMetric": {"score": 0.3, "scoreError": "NaN", "scoreUnit": "s/op"}},
             {"benchmark": "dev.einhorn.bench.OtherBenchmark.x", "params": {"variant": "plain25"},
              "primaryMetric": {"score": 1.0, "scoreUnit": "ms/op"}}]
            """;

    @Test
    void jmhResultsPoolTheRawShotsOfAllForksAndFallBackToTheScore() {
        Map<String, StartupSection.JmhResult> r = StartupSection.jmhResults(BenchJson.parse(JMH));
        assertEquals(List.of("plain17", "cds17", "aot25"), List.copyOf(r.keySet())); // other benchmarks left out
        assertArrayEquals(new double[] {400, 500, 600, 450}, r.get("plain17").shots());
        assertEquals(475, r.get("plain17").median(), 1e-9); // the median of the shots, not the score (487.5)
        assertEquals(2, r.get("cds17").forks());
        assertTrue(Double.isNaN(r.get("cds17").scoreError()));
        assertTrue(!r.get("aot25").raw());
        assertEquals(300, r.get("aot25").median(), 1e-9); // score only, converted from s/op
        assertEquals(Map.of(), StartupSection.jmhResults(Map.of()));
    }

    @Test
    void rendersTheJmhSectionWithMediansRatiosAndTheComparison(@TempDir Path out) throws Exception {
        Files.writeString(out.resolve("startup.json"), STARTUP);
        Files.writeString(out.resolve(Report.JMH_FILE), JMH);
        String md = Report.render(out, "results", Map.of("jmh", "java -jar benchmarks.jar StartupBenchmark -f 2"),
                Map.of(), Map.of("nproc", "2"));
        String sec = md.substring(md.indexOf("## 1b. Start-up with JMH (cross-check)"), md.indexOf("## 2. Memory"));
        // plain17: JMH median 475 of the 4 raw shots; section 1's client median 504
        assertTrue(sec.contains("| plain17 | 475 | raw shots | 400 | 600 | 4 | 2 | 488 ± 120 | 504 | 0.94× |"), sec);
        assertTrue(sec.contains("| cds17 | 250 | raw shots | 240 | 260 | 3 | 2 | 250 | 253 | 0.99× |"), sec);
        assertTrue(sec.contains("| aot25 | 300 | score | — | — | 0 | 0 | 300 | — | — |"), sec);
        assertTrue(sec.contains("rows marked \"score\" had none"), sec);
        assertTrue(sec.contains("| plain `java -jar` / preloaded, JDK 17 (plain17 / cds17) | 1.90× | 1.99× |"), sec);
        assertTrue(sec.contains("| plain `java -jar` / preloaded, JDK 25 (plain25 / aot25) | — | — |"), sec);
        assertTrue(sec.contains("No JMH result for `hello17`, `python` although"), sec);
        assertTrue(sec.contains("JMH's plain/preloaded ratios are JDK 17 1.90× against 1.99× in section 1; its medians "
                + "are 0.94–0.99× section 1's client medians."), sec);
        assertTrue(sec.contains("java -jar benchmarks.jar StartupBenchmark -f 2"), sec);
        assertTrue(Report.render(out.resolve("none"), "results", Map.of(), Map.of(), Map.of())
                .contains("## 1b. Start-up with JMH (cross-check)\n\n" + Report.NOT_RUN));
    }

    @Test
    void loadTimelineBucketsByCompletion() {
        LoadClient.Samples s = new LoadClient.Samples(new long[] {0, 100_000, 300_000, 300_000},
                new int[] {1000, 2000, 3000, 4000}, new byte[] {0, 0, 0, LoadClient.REFUSED});
        LoadRun.Timeline t = LoadRun.Timeline.of(s, 0.25, 0.5);
        assertArrayEquals(new double[] {8, 8}, t.rps());
        assertArrayEquals(new long[] {0, 1}, t.failed());
        Map<String, Object> sum = LoadRun.summarize(s, List.of(new LoadRun.Op("upgrade", 0.2, 0.3, 0.4, true, "")), 0.5, 0);
        assertTrue(sum.get("requestsFailed").equals(1L), sum.toString());
    }

    @Test
    void aPartNotRunNowKeepsItsResultsAndAPartThatRanButWroteNothingLosesThem(@TempDir Path dir) throws Exception {
        Path out = Files.createDirectories(dir.resolve("out"));
        Path results = Files.createDirectories(dir.resolve("results"));
        Files.writeString(results.resolve("startup.json"), STARTUP); // committed by an earlier run
        Files.writeString(results.resolve("memory.json"), "{\"rows\": []}");
        Files.writeString(results.resolve("status.tsv"), "startup\tok\t101\t1.45 2.33 2.38\t2026-11-24 23:09, commit 4f465bc, AMD EPYC\n"
                + "memory\tok\t80\t1.77 2.04 2.25\t2026-11-24 23:09, commit 4f465bc, AMD EPYC\n");
        Files.writeString(out.resolve("status.tsv"), "memory\tfailed (exit 1)\t3\t9.00 8.00 7.00\n"
                + "standby\tok\t200\t1.00 1.00 1.00\n"); // STANDBY-RESULTS.md's part, not this report's
        Report.write(out, results, dir.resolve("RESULTS.md"));
        String md = Files.readString(dir.resolve("RESULTS.md"));
        assertTrue(Files.exists(results.resolve("startup.json")));
        assertTrue(!Files.exists(results.resolve("memory.json")));
        assertTrue(md.contains("| startup | ok | 101 s | 1.45 2.33 2.38 | 2026-11-24 23:09, commit 4f465bc, AMD EPYC |"), md);
        assertTrue(md.contains("| memory | failed (exit 1) | 3 s | 9.00 8.00 7.00 |"), md);
        assertTrue(md.contains("## 2. Memory of idle workers (PSS, /proc/PID/smaps_rollup)\n\n" + Report.NOT_RUN), md);
        assertTrue(md.contains("| plain17 |"), md); // section 1 from the kept results file
        assertTrue(md.contains("**Caveat: the machine was busy** when these parts started"), md);
        assertTrue(!md.contains("| standby |"), md);
    }

    @Test
    void aStatusRowKeepsTheRunItWasWrittenBy() {
        assertEquals("spring\tok\t9.4 9 9\t2026-11-28 15:44, commit abc, CPU",
                Report.withRun("spring\tok\t9.4 9 9\t2026-11-28 15:44, commit abc, CPU", "now"));
        assertEquals("ok\t3\t\tnow", Report.withRun("ok\t3", "now"));
    }

    @Test
    void theReportSaysWhetherItsPartsComeFromOneRun() {
        String one = "ok\t10\t0.5 0.5 0.5\t2026-11-29 10:00, commit abc, CPU";
        String other = "ok\t10\t0.5 0.5 0.5\t2026-11-24 23:09, commit def, CPU";
        assertEquals("All parts come from one run: 2026-11-29 10:00, commit abc, CPU.",
                Report.runsSentence(Map.of("startup", one, "memory", one)));
        assertTrue(Report.runsSentence(Map.of("startup", one, "spring", other)).startsWith("**The parts come from 2 different runs**"));
    }

    static final String MEMORY = """
            {"settleMillis": 3000, "rows": [
              {"variant": "plain17", "workers": 4, "perWorkerPssMb": 56.0, "perWorkerPrivateDirtyMb": 52.0, "masterPssMb": 37.0},
              {"variant": "plain17", "workers": 8, "perWorkerPssMb": 54.0, "perWorkerPrivateDirtyMb": 52.0, "masterPssMb": 37.0},
              {"variant": "cds17", "workers": 4, "perWorkerPssMb": 48.0, "perWorkerPrivateDirtyMb": 40.0, "masterPssMb": 54.0},
              {"variant": "cds17", "workers": 8, "perWorkerPssMb": 43.0, "perWorkerPrivateDirtyMb": 39.0, "masterPssMb": 53.0},
              {"variant": "boot17", "workers": 8, "perWorkerPssMb": 50.0, "perWorkerPrivateDirtyMb": 47.0},
              {"variant": "boot25", "workers": 8, "perWorkerPssMb": 55.0, "perWorkerPrivateDirtyMb": 51.0},
              {"variant": "plain25", "workers": 8, "perWorkerPssMb": 60.0, "perWorkerPrivateDirtyMb": 57.0},
              {"variant": "aot25", "workers": 8, "perWorkerPssMb": 54.0, "perWorkerPrivateDirtyMb": 50.0}]}
            """;

    @Test
    void theReadingComputesEveryFigureAndVerdictFromItsOwnResults(@TempDir Path out) throws Exception {
        Files.writeString(out.resolve("memory.json"), MEMORY);
        Files.writeString(out.resolve("load.json"), """
                {"workers": 4, "spinupSeconds": 1.0, "requestsSent": 1000, "requestsFailed": 0,
                 "operations": [{"command": "upgrade", "settledSeconds": 3.5}, {"command": "reload", "settledSeconds": 1.2}]}
                """);
        StringBuilder b = new StringBuilder();
        Reading.reading(b, out);
        String md = b.toString();
        // 55 -> 54 MB is under the stated 3 % threshold
        assertTrue(md.contains("JDK 25 55.0 → 54.0 MB (Private_Dirty 51.0 → 50.0 MB: less than 3 % less per worker, "
                + "so in this run the AOT cache bought start-up, not memory)"), md);
        assertTrue(md.contains("PSS saved per JDK 17 worker by the archive: 8.00 MB with 4 workers, 11.0 MB with 8"), md);
        assertTrue(md.contains("39.0 MB of its 43.0 MB PSS (91 %"), md);
        assertTrue(md.contains("Settled after (s): upgrade 3.50 s, reload 1.20 s with 4 workers; the master's pacing alone "
                + "accounts for at least 3.00 s of an upgrade"), md);
        assertTrue(md.contains("(1.00 s in this run, Einhorn's rule)"), md);
    }
}
