package dev.einhorn.report;

import dev.einhorn.cli.EinhornCli;
import dev.einhorn.pool.LatencyHistogram;
import dev.einhorn.pool.Pool;
import dev.einhorn.pool.Worker;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code metrics} command: the master's numbers in the Prometheus text exposition format (version 0.0.4),
 * for a textfile collector or a tiny exporter (see docs/OPERATIONS.md). Every line is a {@code # HELP} or
 * {@code # TYPE} comment or {@code name{labels} value}.
 */
public final class Metrics {
    private Metrics() {}

    public static String text(MasterView master) {
        Pool pool = master.pool();
        StringBuilder out = new StringBuilder();
        Map<String, Integer> byState = new LinkedHashMap<>();
        for (String s : new String[] {"acked", "unacked", "old", "signaled"}) byState.put(s, 0);
        for (Worker w : pool.workers()) byState.merge(StateJson.stateOf(w, pool), 1, Integer::sum);

        header(out, "einhorn_info", "gauge", "Constant 1, labelled with the einhorn-jvm version and master pid.");
        out.append("einhorn_info{version=\"").append(escape(EinhornCli.VERSION)).append("\",compatible=\"")
                .append(escape(EinhornCli.EINHORN_VERSION)).append("\",pid=\"").append(master.pid()).append("\"} 1\n");
        header(out, "einhorn_workers", "gauge",
                "Live workers by state: acked, unacked (current version), old (previous version), signaled (stopping).");
        byState.forEach((state, n) -> out.append("einhorn_workers{state=\"").append(state).append("\"} ").append(n)
                .append('\n'));
        gauge(out, "einhorn_workers_target", "The number of workers einhorn keeps (-n, inc, dec, set_workers).",
                pool.number());
        gauge(out, "einhorn_version", "The worker code version: 0 at start, +1 per upgrade.", pool.version());
        gauge(out, "einhorn_upgrading", "1 while an upgrade is in progress.", pool.upgrading() ? 1 : 0);
        gauge(out, "einhorn_respawning", "0 once the master is stopping.", pool.respawning() ? 1 : 0);
        gauge(out, "einhorn_consecutive_deaths_before_ack", "Workers that died before their ACK, in a row.",
                pool.consecutiveDeathsBeforeAck());
        counter(out, "einhorn_upgrades_completed_total", "Upgrades whose new workers all ACKed.",
                pool.upgradesCompleted());
        counter(out, "einhorn_upgrades_failed_total", "Upgrades given up (workers kept dying, or the upgrade timeout).",
                pool.upgradesFailed());
        counter(out, "einhorn_respawns_total", "Workers started again after a current worker died on its own.",
                pool.respawns());

        header(out, "einhorn_standbys", "gauge",
                "Warm standbys (--standby) by state: standby (ready, parked), warming, retired (exiting).");
        Map<String, Integer> standbys = new LinkedHashMap<>();
        for (String s : new String[] {"standby", "warming", "retired"}) standbys.put(s, 0);
        for (var s : pool.standbys()) standbys.merge(StateDump.standbyState(s), 1, Integer::sum);
        standbys.forEach((state, n) -> out.append("einhorn_standbys{state=\"").append(state).append("\"} ").append(n)
                .append('\n'));
        gauge(out, "einhorn_standbys_target", "Ready standbys einhorn keeps (--standby N).", pool.standbyTarget());
        counter(out, "einhorn_standby_activations_total", "Standbys activated as workers instead of spawning a JVM.",
                pool.activations());
        counter(out, "einhorn_standbys_started_total", "Standby JVMs started.", pool.standbysStarted());
        histogram(out, "einhorn_activation_latency_seconds", "Time from a standby's activation to its ACK.",
                pool.activationLatency());

        LatencyHistogram h = pool.ackLatency();
        header(out, "einhorn_ack_latency_seconds", "histogram", "Time from a worker's spawn to its ACK.");
        for (int i = 0; i < LatencyHistogram.BOUNDS.size(); i++) {
            out.append("einhorn_ack_latency_seconds_bucket{le=\"").append(number(LatencyHistogram.BOUNDS.get(i)))
                    .append("\"} ").append(h.cumulative(i)).append('\n');
        }
        out.append("einhorn_ack_latency_seconds_bucket{le=\"+Inf\"} ").append(h.count()).append('\n');
        out.append("einhorn_ack_latency_seconds_sum ").append(number(h.sum())).append('\n');
        out.append("einhorn_ack_latency_seconds_count ").append(h.count()).append('\n');
        return out.toString();
    }

    private static void histogram(StringBuilder out, String name, String help, LatencyHistogram h) {
        header(out, name, "histogram", help);
        for (int i = 0; i < LatencyHistogram.BOUNDS.size(); i++) {
            out.append(name).append("_bucket{le=\"").append(number(LatencyHistogram.BOUNDS.get(i))).append("\"} ")
                    .append(h.cumulative(i)).append('\n');
        }
        out.append(name).append("_bucket{le=\"+Inf\"} ").append(h.count()).append('\n');
        out.append(name).append("_sum ").append(number(h.sum())).append('\n');
        out.append(name).append("_count ").append(h.count()).append('\n');
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        header(out, name, "gauge", help);
        out.append(name).append(' ').append(value).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        header(out, name, "counter", help);
        out.append(name).append(' ').append(value).append('\n');
    }

    static String number(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString((long) d);
        return String.format(Locale.ROOT, "%s", d);
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
