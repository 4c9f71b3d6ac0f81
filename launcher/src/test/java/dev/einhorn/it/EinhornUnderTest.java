package dev.einhorn.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * A real {@code bin/einhorn} under test: started with its own socket, pidfile and lockfile in a temp dir,
 * stderr captured to a file, stopped with TERM (then KILL) and every worker it left killed.
 */
public final class EinhornUnderTest implements AutoCloseable {
    static final Path REPO = Path.of(System.getProperty("einhorn.repo", "..")).toAbsolutePath().normalize();
    static final Path WORKERS = REPO.resolve("launcher/src/test/resources/workers");
    static final Duration WAIT = Duration.ofSeconds(30);

    final Path dir;
    final Path socket;
    final Path log;
    final Process process;
    private final List<Long> seenWorkers = new ArrayList<>();

    private EinhornUnderTest(Path dir, Process process) {
        this.dir = dir;
        this.socket = dir.resolve("einhorn.sock");
        this.log = dir.resolve("einhorn.log");
        this.process = process;
    }

    /** Starts {@code bin/einhorn -d DIR/einhorn.sock -e DIR/einhorn.pid -f DIR/einhorn.lock ARGS...}. */
    public static EinhornUnderTest start(Path dir, Map<String, String> env, String... args) throws IOException {
        EinhornUnderTest e = launch(dir, env, List.of(), REPO.resolve("bin/einhorn"), args);
        try {
            // connectable, not just present: a stale socket file from an earlier master exists before this one binds
            e.awaitTrue("the command socket", () -> e.accepts() || !e.process.isAlive());
        } catch (AssertionError hung) {
            e.process.destroyForcibly(); // a master that never got that far is no one's to close
            throw hung;
        }
        if (!e.process.isAlive()) throw new IOException("einhorn exited at start:\n" + e.logText());
        return e;
    }

    /**
     * Starts {@code PREFIX... EINHORN -d DIR/einhorn.sock -e ... -f ... ARGS...} (e.g. under
     * systemd-socket-activate, or a released bin/einhorn) without waiting for anything.
     */
    static EinhornUnderTest launch(Path dir, Map<String, String> env, List<String> prefix, Path einhorn, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(einhorn.toString(),
                "-d", dir.resolve("einhorn.sock").toString(),
                "-e", dir.resolve("einhorn.pid").toString(),
                "-f", dir.resolve("einhorn.lock").toString()));
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("einhorn.log").toFile());
        pb.environment().putAll(env);
        return new EinhornUnderTest(dir, pb.start());
    }

    public static EinhornUnderTest start(Path dir, String... args) throws IOException {
        return start(dir, Map.of(), args);
    }

    /** True when the command socket accepts a connection. */
    boolean accepts() {
        try (CommandClient ignored = new CommandClient(socket)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs bin/einhorn to completion (for start-up errors); returns exit code and output. */
    static Result run(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(REPO.resolve("bin/einhorn").toString()));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("bin/einhorn did not exit");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    public record Result(int exitCode, String stdout, String stderr) {}

    long pid() {
        return process.pid();
    }

    public String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    public void awaitLog(String substring) {
        awaitTrue("log line containing \"" + substring + "\"", () -> logText().contains(substring));
    }

    public void awaitTrue(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; log:\n" + logText());
            }
            sleep(50);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    List<String> command(String json) throws IOException {
        try (CommandClient c = new CommandClient(socket)) {
            return c.request(json);
        }
    }

    /** The {@code state} dump's {@code :state} map. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> state() throws IOException {
        String yaml = command("{\"command\":\"state\",\"id\":1}").get(0);
        Map<Object, Object> root = (Map<Object, Object>) new Load(LoadSettings.builder().build()).loadFromString(yaml);
        Object state = root.containsKey(":state") ? root.get(":state") : root.get("state");
        return stripColons((Map<Object, Object>) state);
    }

    /** State keys may be Ruby symbols (":children"); tests read them by plain name. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> stripColons(Map<Object, Object> m) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        m.forEach((k, v) -> {
            String key = String.valueOf(k);
            if (key.startsWith(":")) key = key.substring(1);
            out.put(key, v instanceof Map<?, ?> mm ? stripColons((Map<Object, Object>) mm) : v);
        });
        return out;
    }

    /** Worker pids in state, in spawn order. */
    @SuppressWarnings("unchecked")
    public List<Long> workerPids() throws IOException {
        Map<String, Object> state = state();
        Map<String, Object> children = (Map<String, Object>) state.get("children");
        List<Long> pids = new ArrayList<>();
        for (String k : children.keySet()) pids.add(Long.parseLong(k));
        List<Long> seen = new ArrayList<>(pids);
        if (state.get("standbys") instanceof Map<?, ?> standbys) { // --standby: killed at close() too
            for (Object k : standbys.keySet()) seen.add(Long.parseLong(String.valueOf(k)));
        }
        synchronized (seenWorkers) {
            for (Long p : seen) if (!seenWorkers.contains(p)) seenWorkers.add(p);
        }
        return pids;
    }

    /** Waits until state lists exactly n workers, all acked; returns their pids. */
    @SuppressWarnings("unchecked")
    public List<Long> awaitAckedWorkers(int n) {
        List<List<Long>> result = new ArrayList<>();
        awaitTrue(n + " acked workers", () -> {
            try {
                Map<String, Object> children = (Map<String, Object>) state().get("children");
                boolean ok = children.size() == n && children.values().stream()
                        .allMatch(c -> Boolean.TRUE.equals(((Map<String, Object>) c).get("acked")));
                if (ok) {
                    result.clear();
                    result.add(workerPids());
                }
                return ok;
            } catch (IOException e) {
                return false;
            }
        });
        return result.get(0);
    }

    /** Sends {@code reload} and waits until the re-exec'd image has taken over (its "Using loaded state" line). */
    void reload() throws IOException {
        int before = count("Using loaded state");
        List<String> reply = command("{\"command\":\"reload\",\"id\":1}");
        if (!reply.equals(List.of("Reloading, as commanded"))) throw new AssertionError("reload replied " + reply);
        awaitTrue("reload " + (before + 1), () -> count("Using loaded state") > before);
    }

    /** Waits until the master's workers are all of version v and acked (old ones have exited). */
    @SuppressWarnings("unchecked")
    public void awaitOnlyVersion(int v) {
        awaitTrue("only version " + v + " workers", () -> {
            try {
                Map<String, Object> children = (Map<String, Object>) state().get("children");
                int target = ((Number) ((Map<String, Object>) state().get("config")).get("number")).intValue();
                return children.size() == target && children.values().stream().allMatch(c -> {
                    Map<String, Object> m = (Map<String, Object>) c;
                    return Boolean.TRUE.equals(m.get("acked")) && ((List<?>) m.get("signaled")).isEmpty();
                }) && state().get("upgrading").equals(false);
            } catch (Exception ex) {
                return false;
            }
        });
    }

    public int count(String needle) {
        String text = logText();
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) n++;
        return n;
    }

    /** Runs {@code bin/einhornsh -d SOCKET -e COMMANDS} with no stdin; returns its exit code and output. */
    public Result einhornsh(String commands) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(REPO.resolve("bin/einhornsh").toString(), "-d", socket.toString(), "-e", commands)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        java.util.concurrent.CompletableFuture<byte[]> err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("einhornsh -e " + commands + " did not finish");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err.join(), StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    public int port(int i) throws IOException {
        return ((Number) ((List<Object>) state().get("bound_ports")).get(i)).intValue();
    }

    /** Connects to 127.0.0.1:port and returns everything the worker says (trimmed). */
    static String ask(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10000);
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                && !procState(pid).equals("Z");
    }

    private static String procState(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        } catch (IOException e) {
            return "gone";
        }
    }

    public void signal(String sig) throws IOException, InterruptedException {
        signal(pid(), sig);
    }

    static void signal(long pid, String sig) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start().waitFor();
    }

    public int awaitExit() throws InterruptedException {
        if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("einhorn did not exit; log:\n" + logText());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws Exception {
        try {
            if (process.isAlive()) workerPids();
        } catch (IOException ignored) {
            // already gone
        }
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        }
        synchronized (seenWorkers) {
            for (long p : seenWorkers) ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
