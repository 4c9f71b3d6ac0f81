package dev.einhorn.shell;

import dev.einhorn.protocol.Client;
import dev.einhorn.protocol.ParseException;
import dev.einhorn.protocol.Yaml;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;

/**
 * {@code einhornsh watch}: a live view of the master. Polls {@code state --json} (docs/state-schema.json) every
 * {@link #INTERVAL} on one command-socket connection and redraws the worker table (ANSI clear screen) whenever
 * it changed. Ends on ^C (the JVM's default SIGINT exit) or when the master goes away: the connection fails and
 * no new one can be made for {@link #RECONNECT} (a master re-exec keeps its socket, so a short gap is waited out).
 */
public final class Watch {
    static final Duration INTERVAL = Duration.ofMillis(750);
    static final Duration RECONNECT = Duration.ofSeconds(3);
    static final Duration REPLY_TIMEOUT = Duration.ofSeconds(10);
    static final String CLEAR = "\033[H\033[2J";
    private static final Map<String, Object> REQUEST = new java.util.LinkedHashMap<>(
            Map.of("command", "state", "id", 1, "args", List.of("--json")));

    private Watch() {}

    /** Watches until ^C or the master goes away; 0 then, 1 when no master answered at all. */
    public static int run(Path socket, PrintStream out) {
        return run(socket, out, INTERVAL, Long.MAX_VALUE);
    }

    /** As {@link #run(Path, PrintStream)}, for at most {@code maxPolls} polls. */
    static int run(Path socket, PrintStream out, Duration interval, long maxPolls) {
        Connection conn = null;
        String last = null;
        boolean answered = false;
        try {
            for (long poll = 0; poll < maxPolls; poll++) {
                Map<String, Object> state;
                try {
                    if (conn == null) conn = connect(socket);
                    state = conn.state();
                } catch (IOException | RuntimeException e) {
                    closeQuietly(conn);
                    conn = null;
                    if (!answered) {
                        out.println("einhornsh watch: cannot get the state from " + socket + ": " + e.getMessage());
                        return 1;
                    }
                    conn = reconnect(socket);
                    if (conn == null) {
                        out.println();
                        out.println("The einhorn master went away (" + e.getMessage() + ").");
                        return 0;
                    }
                    continue;
                }
                answered = true;
                String frame = render(state);
                if (!frame.equals(last)) {
                    out.print(CLEAR + frame);
                    out.flush();
                    last = frame;
                }
                if (poll + 1 < maxPolls) sleep(interval);
            }
            return 0;
        } finally {
            closeQuietly(conn);
        }
    }

    private static Connection reconnect(Path socket) {
        long deadline = System.nanoTime() + RECONNECT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                Connection c = connect(socket);
                c.state();
                return c;
            } catch (IOException | RuntimeException e) {
                sleep(Duration.ofMillis(200));
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ rendering

    /** The screen for one state: a header and one row per worker. */
    @SuppressWarnings("unchecked")
    static String render(Map<String, Object> state) {
        Map<String, Object> master = (Map<String, Object>) state.get("master");
        Map<String, Object> pool = (Map<String, Object>) state.get("pool");
        List<Map<String, Object>> workers = (List<Map<String, Object>>) state.get("workers");
        StringBuilder out = new StringBuilder();
        Object name = master.get("cmd_name");
        out.append("einhorn master ").append(master.get("pid")).append(name != null ? " (" + name + ")" : "")
                .append("  version ").append(pool.get("version"))
                .append("  acked ").append(pool.get("acked")).append('/').append(pool.get("number"));
        if (Boolean.TRUE.equals(pool.get("upgrading"))) {
            out.append(Boolean.TRUE.equals(pool.get("smooth_upgrade")) ? "  UPGRADING (smooth)" : "  UPGRADING (fleet)");
        }
        if (Boolean.FALSE.equals(pool.get("respawn"))) out.append("  STOPPING");
        out.append('\n');
        out.append("upgrades: ").append(pool.get("upgrades_completed")).append(" done, ")
                .append(pool.get("upgrades_failed")).append(" failed; respawns: ").append(pool.get("respawns"))
                .append("\n\n");
        out.append(String.format(Locale.ROOT, "%8s %5s %5s  %-9s %9s %8s  %s%n",
                "PID", "INDEX", "VER", "STATE", "UPTIME", "ACK", "SIGNALED"));
        for (Map<String, Object> w : workers) {
            List<Object> signaled = (List<Object>) w.get("signaled");
            out.append(String.format(Locale.ROOT, "%8s %5s %5s  %-9s %9s %8s  %s%n",
                    w.get("pid"), w.get("index"), w.get("version"), w.get("state"),
                    duration(w.get("uptime_s")), w.get("ack_latency_s") == null ? "-"
                            : String.format(Locale.ROOT, "%.2fs", ((Number) w.get("ack_latency_s")).doubleValue()),
                    signaled == null || signaled.isEmpty() ? "-" : String.join(",", signaled.stream()
                            .map(String::valueOf).toList())));
        }
        if (workers.isEmpty()) out.append("(no workers)\n");
        Object standbys = state.get("standbys");
        if (standbys instanceof List<?> list) {
            for (Object o : list) {
                Map<String, Object> s = (Map<String, Object>) o;
                out.append(String.format(Locale.ROOT, "%8s %5s %5s  %-9s %9s %8s  %s%n", s.get("pid"), "-",
                        s.get("version"), s.get("state"), "-", "-", "-"));
            }
        }
        out.append("\n^C to quit\n");
        return out.toString();
    }

    /** 42s, 3m05s, 2h03m, 4d02h. */
    static String duration(Object seconds) {
        if (!(seconds instanceof Number n)) return "-";
        long s = (long) n.doubleValue();
        if (s < 60) return s + "s";
        if (s < 3600) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        if (s < 86400) return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        return String.format(Locale.ROOT, "%dd%02dh", s / 86400, (s % 86400) / 3600);
    }

    // ------------------------------------------------------------------ the command socket

    private static Connection connect(Path socket) throws IOException {
        return new Connection(socket);
    }

    private static void closeQuietly(Connection c) {
        if (c == null) return;
        try {
            c.close();
        } catch (IOException ignored) {
            // leaving anyway
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One command-socket connection asking for the JSON state, with a deadline. */
    private static final class Connection implements AutoCloseable {
        private final Client client;

        Connection(Path socket) throws IOException {
            client = Client.connect(socket);
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> state() throws IOException {
            Object reply;
            try {
                client.send(REQUEST);
                reply = client.receive(REPLY_TIMEOUT);
            } catch (ParseException e) {
                throw new IOException("unparseable reply: " + e.getMessage());
            }
            if (!(reply instanceof Map<?, ?> m) || !(m.get("message") instanceof String message)) {
                throw new IOException("unexpected reply: " + reply);
            }
            Object state;
            try {
                state = Yaml.parseReply(message);
            } catch (ParseException e) {
                throw new IOException("unparseable state: " + e.getMessage());
            }
            if (!(state instanceof Map<?, ?> st) || !st.containsKey("workers")) {
                throw new IOException("this master has no JSON state (state --json): " + message.lines().findFirst()
                        .orElse(""));
            }
            return (Map<String, Object>) state;
        }

        @Override
        public void close() throws IOException {
            client.close();
        }
    }
}
