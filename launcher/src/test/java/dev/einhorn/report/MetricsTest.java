package dev.einhorn.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The {@code metrics} reply for pools of fake workers: Prometheus text format 0.0.4 line by line (what a textfile
 * collector accepts), and numbers that match the pool.
 */
class MetricsTest {
    private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*");
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\""
                    + "(,[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\")*\\})? (-?[0-9.]+(?:[eE][-+]?[0-9]+)?)");

    /** Checks every line's form and that each sample follows its family's TYPE; returns value by "name{labels}". */
    private static Map<String, Double> parse(String text) {
        assertTrue(text.endsWith("\n"), "the last line ends too");
        Map<String, Double> out = new LinkedHashMap<>();
        Set<String> typed = new HashSet<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("#")) {
                assertTrue(COMMENT.matcher(line).matches(), "bad comment line: " + line);
                if (line.startsWith("# TYPE ")) {
                    String[] f = line.split(" ");
                    assertTrue(Set.of("gauge", "counter", "histogram").contains(f[3]), line);
                    assertTrue(typed.add(f[2]), "one TYPE per metric: " + line);
                }
                continue;
            }
            var m = SAMPLE.matcher(line);
            assertTrue(m.matches(), "bad sample line: " + line);
            String family = m.group(1).replaceFirst("_(bucket|sum|count)$", "");
            assertTrue(typed.contains(m.group(1)) || typed.contains(family), "sample before its TYPE: " + line);
            String key = line.substring(0, line.lastIndexOf(' '));
            assertTrue(out.put(key, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))) == null,
                    "one sample per series: " + line);
        }
        return out;
    }

    @Test
    void workersAreCountedByStateAndAddUpToThePool() {
        ReportedMaster m = new ReportedMaster("-n", "2", "-m", "manual", "--", "./w").started();
        m.pool.manualAck(100);
        m.pool.upgrade(false);
        m.pool.manualAck(102);
        Map<String, Double> v = parse(Metrics.text(m));
        assertEquals(1.0, v.get("einhorn_workers{state=\"acked\"}"));
        assertEquals(1.0, v.get("einhorn_workers{state=\"unacked\"}"));
        assertEquals(2.0, v.get("einhorn_workers{state=\"old\"}"));
        assertEquals(0.0, v.get("einhorn_workers{state=\"signaled\"}"));
        assertEquals(2.0, v.get("einhorn_workers_target"));
        assertEquals(1.0, v.get("einhorn_version"));
        assertEquals(1.0, v.get("einhorn_upgrading"));
        assertEquals(1.0, v.get("einhorn_respawning"));
        // the pid and versions are labels of a constant 1
        assertEquals(1.0, v.get("einhorn_info{version=\"" + dev.einhorn.cli.EinhornCli.VERSION + "\",compatible=\""
                + dev.einhorn.cli.EinhornCli.EINHORN_VERSION + "\",pid=\"4242\"}"));
    }

    @Test
    void theAckLatencyHistogramIsCumulativeAndEndsAtItsCount() {
        ReportedMaster m = new ReportedMaster("-n", "3", "-m", "manual", "--", "./w").started();
        m.host.now = 1000.04;
        m.pool.manualAck(100);
        m.host.now = 1003;
        m.pool.manualAck(101);
        Map<String, Double> v = parse(Metrics.text(m));
        double previous = 0;
        for (var e : v.entrySet()) {
            if (!e.getKey().startsWith("einhorn_ack_latency_seconds_bucket")) continue;
            assertTrue(e.getValue() >= previous, "cumulative: " + e);
            previous = e.getValue();
        }
        assertEquals(1.0, v.get("einhorn_ack_latency_seconds_bucket{le=\"0.05\"}"));
        assertEquals(1.0, v.get("einhorn_ack_latency_seconds_bucket{le=\"2.5\"}"));
        assertEquals(2.0, v.get("einhorn_ack_latency_seconds_bucket{le=\"5\"}"));
        assertEquals(2.0, v.get("einhorn_ack_latency_seconds_bucket{le=\"+Inf\"}"));
        assertEquals(2.0, v.get("einhorn_ack_latency_seconds_count"));
        assertEquals(3.04, v.get("einhorn_ack_latency_seconds_sum"), 1e-9);
    }

    @Test
    void standbysAreCountedByState() {
        ReportedMaster m = new ReportedMaster("-n", "1", "-m", "manual", "--", "./w").started();
        m.host.standbysPossible = true;
        m.pool.setStandbyTarget(2);
        m.pool.tick();
        m.pool.standbyReady(101);
        Map<String, Double> v = parse(Metrics.text(m));
        assertEquals(1.0, v.get("einhorn_standbys{state=\"standby\"}"));
        assertEquals(1.0, v.get("einhorn_standbys{state=\"warming\"}"));
        assertEquals(0.0, v.get("einhorn_standbys{state=\"retired\"}"));
        assertEquals(2.0, v.get("einhorn_standbys_target"));
        assertEquals(2.0, v.get("einhorn_standbys_started_total"));
    }

    @Test
    void everyFamilyIsThereEvenWhenNothingHappenedYet() {
        Map<String, Double> v = parse(Metrics.text(new ReportedMaster("--", "./w")));
        for (String name : List.of("einhorn_workers_target", "einhorn_upgrades_completed_total",
                "einhorn_upgrades_failed_total", "einhorn_respawns_total", "einhorn_consecutive_deaths_before_ack",
                "einhorn_standby_activations_total", "einhorn_activation_latency_seconds_count",
                "einhorn_ack_latency_seconds_count")) {
            assertTrue(v.containsKey(name), name + " missing");
        }
        assertEquals(0.0, v.get("einhorn_workers{state=\"acked\"}"));
    }

    @Test
    void numbersAreWrittenWithoutNeedlessDecimals() {
        assertEquals("1", Metrics.number(1.0));
        assertEquals("0.25", Metrics.number(0.25));
        assertEquals("2.5", Metrics.number(2.5));
    }
}
