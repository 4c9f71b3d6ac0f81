package dev.einhorn.runtime.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Runs {@code fake_master.py} (python3), which binds a listening socket, opens a command socket and
 * spawns one worker with einhorn's environment and fds. Collects every output line (the fake master's
 * {@code FAKEMASTER ...} reports and the worker's own stdout/stderr). Always use in try-with-resources:
 * {@link #close()} kills the worker and python and removes the temporary directory.
 */
public final class FakeMaster implements AutoCloseable {
    public static final String JDK17 = "java";
    public static final String JDK25 = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java";
    public static final String OPENS = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED";

    private final Process python;
    private final Path dir;
    private final List<String> all = Collections.synchronizedList(new ArrayList<>());
    private volatile long workerPid = -1;

    private FakeMaster(Process python, Path dir) {
        this.python = python;
        this.dir = dir;
        Thread t = new Thread(() -> pump(python.getInputStream()), "fake-master-out");
        t.setDaemon(true);
        t.start();
    }

    /** The JDKs worker tests run on; JDK 25 only where installed. */
    public static Stream<String> jdks() {
        return Files.isExecutable(Path.of(JDK25)) ? Stream.of(JDK17, JDK25) : Stream.of(JDK17);
    }

    /**
     * Starts the fake master. {@code masterOptions} are fake_master.py's options (without --dir);
     * {@code workerCommand} is the full worker command line.
     */
    public static FakeMaster start(List<String> masterOptions, List<String> workerCommand) throws IOException {
        // AF_UNIX paths are limited to 108 bytes: keep the directory short.
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "ehfm");
        Path script = dir.resolve("fake_master.py");
        try (InputStream in = FakeMaster.class.getResourceAsStream("fake_master.py")) {
            if (in == null) {
                throw new IllegalStateException("fake_master.py not on the test classpath");
            }
            Files.copy(in, script);
        }
        List<String> cmd = new ArrayList<>(List.of("python3", "-u", script.toString(), "--dir", dir.toString()));
        cmd.addAll(masterOptions);
        cmd.add("--");
        cmd.addAll(workerCommand);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("EINHORN_") || k.equals("_JAVA_SR_SIGNUM")
                || k.equals("JDK_JAVA_OPTIONS") || k.equals("JAVA_TOOL_OPTIONS"));
        return new FakeMaster(pb.start(), dir);
    }

    /** A worker command: {@code java [jvmFlags] -cp <classpath> mainClass args}. */
    public static List<String> javaCommand(String java, List<String> jvmFlags, String classpath, String mainClass,
                                           String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Xshare:auto");
        cmd.addAll(jvmFlags);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return cmd;
    }

    private void pump(InputStream in) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("FAKEMASTER spawned ")) {
                    workerPid = Long.parseLong(line.substring("FAKEMASTER spawned ".length()).trim());
                }
                synchronized (all) {
                    all.add(line);
                    all.notifyAll();
                }
            }
        } catch (IOException ignored) {
            // process gone
        }
    }

    /**
     * Waits until some line (earlier or future; output order between the fake master and the worker
     * is not deterministic) matches {@code p}, and returns the first such line.
     */
    public String await(Predicate<String> p, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (all) {
            while (true) {
                for (String line : all) {
                    if (p.test(line)) {
                        return line;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("timed out after " + timeout + " waiting for a line; output so far:\n"
                            + output());
                }
                TimeUnit.NANOSECONDS.timedWait(all, left);
            }
        }
    }

    /** Waits for {@code FAKEMASTER <event> ...} and returns what follows the event word. */
    public String awaitEvent(String event, Duration timeout) throws InterruptedException {
        String prefix = "FAKEMASTER " + event + " ";
        return await(l -> l.startsWith(prefix), timeout).substring(prefix.length());
    }

    /**
     * Waits for the (first) request line the fake master's command socket received, undoes einhorn's
     * framing ({@code %0A} -> newline, {@code %25} -> {@code %}) and parses it as flat JSON.
     */
    public java.util.Map<String, Object> awaitCommand(Duration timeout) throws InterruptedException {
        String raw = FlatJson.string(awaitEvent("command", timeout));
        String decoded = raw.replace("%0A", "\n").replace("%25", "%");
        return FlatJson.object(decoded);
    }

    /** Waits for a worker line starting with {@code prefix}; returns the whole line. */
    public String awaitLine(String prefix, Duration timeout) throws InterruptedException {
        return await(l -> l.startsWith(prefix), timeout);
    }

    public long workerPid() {
        return workerPid;
    }

    /** The fake master's (python's) pid: the worker's parent. */
    public long masterPid() {
        return python.pid();
    }

    /** Sends a signal (e.g. "USR2", "TERM") to the worker with kill(1). */
    public void signalWorker(String signal) throws IOException, InterruptedException {
        if (workerPid <= 0) {
            throw new IllegalStateException("no worker spawned yet");
        }
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(workerPid)).inheritIO().start();
        if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new AssertionError("kill -" + signal + " " + workerPid + " failed");
        }
    }

    /** Waits for the worker's exit code as reported by the fake master. */
    public int awaitWorkerExit(Duration timeout) throws InterruptedException {
        return Integer.parseInt(awaitEvent("exit", timeout).trim());
    }

    public String output() {
        synchronized (all) {
            return String.join("\n", all);
        }
    }

    @Override
    public void close() {
        long pid = workerPid;
        if (pid > 0) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        python.destroyForcibly();
        try {
            python.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
