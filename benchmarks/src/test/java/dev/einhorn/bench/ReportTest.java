package dev.einhorn.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    static final String JMH = """
            [
              {"benchmark": "dev.einhorn.bench.StartupBenchmark.spawnToAck", "mode": "ss",
               "params": {"variant": "plain17"},
               "primaryMetric": {"score": 500.0, "scoreUnit": "ms/op", "rawData": [[400.0, 500.0], [600.0]]}},
              {"benchmark": "dev.einhorn.bench.StartupBenchmark.spawnToAck", "mode": "ss",
               "params": {"variant": "cds17"},
               "primaryMetric": {"score": 250.0, "scoreUnit": "ms/op", "rawData": [[250.0], [240.0, 260.0]]}},
              {"benchmark": "dev.einhorn.bench.StartupBenchmark.spawnToAck", "mode": "ss",
               "params": {"variant": "python"},
               "primaryMetric": {"score": 50.0, "scoreUnit": "ms/op", "rawData": [[50.0]]}}
            ]
            """;

    @Test
    void jmhRawDataOfAllForksIsFlattened() {
        Map<String, double[]> s = Report.jmhSamples(Json.parse(JMH));
        assertArrayEquals(new double[] {400, 500, 600}, s.get("plain17"));
        assertArrayEquals(new double[] {250, 240, 260}, s.get("cds17"));
    }

    @Test
    void rendersStartupRatiosSkipsAndMissingParts(@TempDir Path out) throws Exception {
        Files.writeString(out.resolve("jmh-startup.json"), JMH);
        Map<String, Object> probe = new LinkedHashMap<>();
        probe.put("app", Map.of("name", "TimeServer (stand-in)", "jar", "x.jar", "http", false, "standIn", true));
        Map<String, Object> variants = new LinkedHashMap<>();
        variants.put("plain17", Map.of("label", "plain", "available", true, "firstAckSeconds", 0.9));
        variants.put("aot25", Map.of("label", "aot", "available", false, "reason", "no preload yet"));
        probe.put("variants", variants);
        probe.put("commands", Map.of("upgrade", true, "reload", false));
        Json.write(out.resolve("probe.json"), probe);
        String md = Report.render(out, "results", Map.of("startup", "java -jar benchmarks.jar X"),
                Map.of("memory", "timed out after 420 s\t420"), Map.of("nproc", "2"));
        assertTrue(md.contains("| plain17 | plain | 500 | 400 | 600 | 3 | 10.00× | — |"), md);
        assertTrue(md.contains("| plain / preloaded, JDK 17 (plain17 / cds17) | 2.00× |"), md);
        assertTrue(md.contains("| plain / preloaded, JDK 25 (plain25 / aot25) | — |"), md);
        assertTrue(md.contains("`aot25` (aot): no preload yet."), md);
        assertTrue(md.contains("`reload` under load"), md);
        assertTrue(md.contains("**The app is a stand-in.**"), md);
        assertTrue(md.contains("Part `memory`: timed out after 420 s."), md);
        assertTrue(md.contains("java -jar benchmarks.jar X"), md);
        assertTrue(md.contains("## 2. Memory") && md.contains("Not run in this run."), md);
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
}
