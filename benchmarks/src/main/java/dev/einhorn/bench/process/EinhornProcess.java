package dev.einhorn.bench.process;

import dev.einhorn.bench.BenchJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code bin/einhorn} for a benchmark: own socket, pidfile and lockfile in a directory, output to a log,
 * stopped with TERM then KILL; every worker it was ever seen with is killed at the end, and a JVM shutdown hook
 * does the same if the benchmark dies.
 */
public final class EinhornProcess implements AutoCloseable {
    private static final Set<EinhornProcess> LIVE = Collections.synchronizedSet(new LinkedHashSet<>());

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (EinhornProcess e : List.copyOf(LIVE)) e.kill();
        }, "einhorn-cleanup"));
    }

    public final Path dir;
    public final Path socket;
    public final Path log;
    public final Process process;
    private final Set<Long> seen = Collections.synchronizedSet(new LinkedHashSet<>());
    private CommandClient client;

    private EinhornProcess(Path dir, Process process) {
        this.dir = dir;
        this.socket = dir.resolve("einhorn.sock");
        this.log = dir.resolve("einhorn.log");
        this.process = process;
        LIVE.add(this);
    }

    public static Path repo() {
        String r = System.getProperty("einhorn.repo", System.getenv().getOrDefault("EINHORN_REPO", "."));
        return Path.of(r).toAbsolutePath().normalize();
    }

    /** Starts {@code bin/einhorn -d DIR/einhorn.sock -e .. -f .. ARGS} and waits for its command socket. */
    public static EinhornProcess start(Path dir, List<String> args, Map<String, String> env) throws IOException {
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve("einhorn.sock"));
        List<String> cmd = new ArrayList<>(List.of(repo().resolve("bin/einhorn").toString(),
                "-d", dir.resolve("einhorn.sock").toString(),
                "-e", dir.resolve("einhorn.pid").toString(),
                "-f", dir.resolve("einhorn.lock").toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("einhorn.log").toFile());
        pb.environment().putAll(env);
        EinhornProcess e = new EinhornProcess(dir, pb.start());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(e.socket) && e.process.isAlive()) {
            if (System.nanoTime() > deadline) {
                e.close();
                throw new IOException("einhorn did not open its command socket in 30 s; log:\n" + e.logTail());
            }
            sleep(20);
        }
        if (!e.process.isAlive()) {
            e.close();
            throw new IOException("einhorn exited at start:\n" + e.logTail());
        }
        return e;
    }

    public long pid() {
        return process.pid();
    }

    public String logTail() {
        try {
            String s = Files.readString(log);
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (IOException ex) {
            return "(no log)";
        }
    }

    /** One persistent command connection (Einhorn's clients keep one). */
    public synchronized CommandClient client() throws IOException {
        if (client == null) {
            // the socket file exists from bind() on, but connecting before listen() is refused: retry briefly
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (true) {
                try {
                    client = new CommandClient(socket);
                    break;
                } catch (java.net.SocketException e) {
                    if (System.nanoTime() > deadline || !process.isAlive()) throw e;
                    sleep(10);
                }
            }
        }
        return client;
    }

    public synchronized String command(String name, String... args) throws IOException {
        try {
            return client().request(name, args);
        } catch (IOException e) {
            closeClient();
            throw e;
        }
    }

    /** A command's replies and the time from sending it to its last reply, as a client sees it. */
    public record Timed(List<String> replies, double seconds) {
        public String lastReply() {
            return replies.get(replies.size() - 1).trim();
        }
    }

    /**
     * Sends command on the persistent connection and times it to its last reply: for {@code upgrade}, the master's
     * {@code Upgrade done} once every new worker has ACKed (how the overhead and standby parts time an upgrade).
     */
    public Timed timed(String command, Duration timeout) throws IOException {
        long t0 = System.nanoTime();
        List<String> replies = client().request(command, null, timeout);
        return new Timed(replies, (System.nanoTime() - t0) / 1e9);
    }

    /** How many times needle occurs in the master's log so far. */
    public int logCount(String needle) throws IOException {
        String s = Files.readString(log);
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) n++;
        return n;
    }

    /** The first line of a failure's message, for a one-line error in a results file. */
    public static String firstLine(Exception ex) {
        return String.valueOf(ex.getMessage()).lines().findFirst().orElse("");
    }

    public synchronized void closeClient() {
        if (client != null) {
            try {
                client.close();
            } catch (IOException ignored) {
                // gone
            }
            client = null;
        }
    }

    /** The state dump's {@code :state} map with the leading colons of its keys removed. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> state() throws IOException {
        Object root = BenchJson.parse(command("state"));
        if (!(root instanceof Map<?, ?> m)) throw new IOException("state is not a map");
        Object s = m.containsKey(":state") ? m.get(":state") : m.get("state");
        Map<String, Object> state = stripColons((Map<Object, Object>) s);
        for (Long pid : children(state).keySet()) seen.add(pid);
        return state;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> stripColons(Map<Object, Object> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> {
            String key = String.valueOf(k);
            if (key.startsWith(":")) key = key.substring(1);
            out.put(key, v instanceof Map<?, ?> mm ? stripColons((Map<Object, Object>) mm) : v);
        });
        return out;
    }

    /** pid -> child map (acked, version, ...) from a state dump. */
    @SuppressWarnings("unchecked")
    public static Map<Long, Map<String, Object>> children(Map<String, Object> state) {
        Map<Long, Map<String, Object>> out = new LinkedHashMap<>();
        Object c = state.get("children");
        if (c instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.put(Long.parseLong(String.valueOf(k)), (Map<String, Object>) v));
        }
        return out;
    }

    public static long ackedCount(Map<String, Object> state) {
        return children(state).values().stream().filter(c -> Boolean.TRUE.equals(c.get("acked"))).count();
    }

    /** Waits until state lists exactly n children, all acked; returns their pids. */
    public List<Long> awaitAcked(int n, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) throw new IOException("einhorn exited; log:\n" + logTail());
            Map<String, Object> s = state();
            Map<Long, Map<String, Object>> ch = children(s);
            if (ch.size() == n && ackedCount(s) == n) return new ArrayList<>(ch.keySet());
            if (System.nanoTime() > deadline) {
                throw new IOException("timed out waiting for " + n + " acked workers (have " + ch.size() + ", "
                        + ackedCount(s) + " acked); log:\n" + logTail());
            }
            sleep(20);
        }
    }

    public int port(int i) throws IOException {
        Object ports = state().get("bound_ports");
        return ((Number) ((List<?>) ports).get(i)).intValue();
    }

    /** Every worker pid ever seen in a state dump, plus the master's live descendants. */
    private Set<Long> workersToKill() {
        Set<Long> pids = new LinkedHashSet<>(seen);
        try {
            process.descendants().forEach(h -> pids.add(h.pid()));
        } catch (RuntimeException ignored) {
            // gone
        }
        return pids;
    }

    private void kill() {
        Set<Long> pids = workersToKill();
        process.destroyForcibly();
        for (long p : pids) ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly);
    }

    /** TERM the master (it signals its workers), wait up to 10 s, then KILL it and every worker left. */
    @Override
    public void close() {
        closeClient();
        Set<Long> pids = workersToKill();
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        for (long p : pids) ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly);
        LIVE.remove(this);
    }

    public static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
