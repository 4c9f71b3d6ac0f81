package dev.einhorn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --standby N} (docs/PRELOAD.md "Warm standbys"): with {@code -p} the master keeps warm, parked standby JVMs
 * and activates one instead of starting a JVM when a worker is needed. Real bin/einhorn, http-hello (JDK 17 and 25)
 * and a small Java worker of this test ({@code sb.jar}: answers {@code VERSION PID INDEX} on a raw connection, the
 * version read from VERSION_FILE when it enters einhornMain). Archives are shared through one cache per class.
 */
class StandbyIT {
    @TempDir
    static Path shared;
    static Path cache;
    static Path sbJar;

    @TempDir
    Path dir;

    @BeforeAll
    static void buildTheWorker() throws IOException {
        cache = Files.createDirectories(shared.resolve("cache"));
        sbJar = standbyWorkerJar(Files.createDirectories(shared.resolve("sb")));
    }

    // ------------------------------------------------------------------ http-hello: traffic and replacement

    @Test
    void jdk17StandbyNeverAnswersTrafficAndReplacesAKilledWorkerKeepingItsPid() throws Exception {
        helloStandbyReplacesAKilledWorker();
    }

    @Test
    void jdk25StandbyNeverAnswersTrafficAndReplacesAKilledWorkerKeepingItsPid() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PreloadIT.JDK25), "JDK 25 at " + PreloadIT.JDK25);
        helloStandbyReplacesAKilledWorker("--java", PreloadIT.JDK25.toString());
    }

    @SuppressWarnings("unchecked")
    private void helloStandbyReplacesAKilledWorker(String... javaArgs) throws Exception {
        List<String> args = new ArrayList<>(List.of("-n", "2", "-b", "127.0.0.1:0", "-m", "manual"));
        args.addAll(List.of(javaArgs));
        args.addAll(List.of("--preload-cache", cache.toString(), "-p", PreloadIT.HELLO.toString(),
                PreloadIT.HELLO.toString()));
        try (EinhornUnderTest e = EinhornUnderTest.start(dir, args.toArray(String[]::new))) {
            List<Long> workers = e.awaitAckedWorkers(2);
            long standby = awaitReadyStandbys(e, 1).get(0);
            assertFalse(workers.contains(standby));
            int port = e.port(0);
            for (int i = 0; i < 30; i++) {
                String answer = PreloadIT.httpGet(port);
                assertFalse(answer.startsWith("hello from " + standby + " "), "the standby answered: " + answer);
                assertTrue(workers.stream().anyMatch(p -> answer.startsWith("hello from " + p + " (worker ")), answer);
            }
            Map<String, Object> json = jsonState(e);
            List<Map<String, Object>> listed = (List<Map<String, Object>>) json.get("standbys");
            assertEquals(1, listed.size(), json.toString());
            assertEquals(standby, ((Number) listed.get(0).get("pid")).longValue());
            assertEquals("standby", listed.get(0).get("state"));
            assertEquals(0, ((Number) listed.get(0).get("version")).intValue());
            assertTrue(listed.get(0).get("ready_since") instanceof String, listed.toString());
            assertEquals(Boolean.TRUE, listed.get(0).get("archive_mapped"), "a standby starts from the archive");
            assertEquals(2, ((List<Object>) json.get("workers")).size(), "a standby is not counted as a worker");

            long victim = workers.get(0);
            int index = indexOf(e, victim);
            EinhornUnderTest.signal(victim, "KILL");
            e.awaitTrue("the standby to be the new worker", () -> {
                try {
                    return e.workerPids().contains(standby) && !e.workerPids().contains(victim);
                } catch (IOException ex) {
                    return false;
                }
            });
            e.awaitAckedWorkers(2);
            assertEquals(index, indexOf(e, standby), "it took the dead worker's index");
            e.awaitLog("Activated standby " + standby + " (index: " + index + ") ACKed ");
            e.awaitTrue("an answer from the activated standby", () -> {
                try {
                    return PreloadIT.httpGet(port).equals("hello from " + standby + " (worker " + index + ")");
                } catch (IOException ex) {
                    return false;
                }
            });
            long next = awaitReadyStandbys(e, 1).get(0);
            assertNotEquals(standby, next, "a new standby in the background");
            String metrics = e.command("{\"command\":\"metrics\",\"id\":1}").get(0);
            assertTrue(metrics.contains("einhorn_standby_activations_total 1\n"), metrics);
            assertTrue(metrics.contains("einhorn_standbys{state=\"standby\"} 1\n"), metrics);
        }
    }

    // ------------------------------------------------------------------ Spring Boot: parked after the context refresh

    @Test
    void aSpringBootStandbyParksAfterItsContextRefreshNeverAnswersAndReplacesAKilledWorker() throws Exception {
        Path app = EinhornUnderTest.REPO.resolve("sample-app/spring-hello/target/spring-hello.jar");
        try (EinhornUnderTest e = EinhornUnderTest.start(dir, "-n", "1", "-b", "127.0.0.1:0", "-m", "manual", "--preload-cache",
                cache.toString(), "-p", app.toString(), app.toString())) {
            awaitSlowly(e, "1 acked worker and 1 ready standby", () -> ackedWorkers(e) == 1 && readyStandbyPids(e).size() == 1);
            long worker = e.workerPids().get(0);
            long standby = readyStandbyPids(e).get(0);
            // parked in the app: the context was refreshed (the web server created) but not started
            String log = e.logText();
            assertTrue(log.contains("einhorn standby " + standby + ": warmed up in the app"), log);
            int port = e.port(0);
            for (int i = 0; i < 10; i++) assertEquals(worker, springPid(port), "only the worker answers");
            EinhornUnderTest.signal(worker, "KILL");
            awaitSlowly(e, "the standby serving", () -> e.workerPids().equals(List.of(standby)) && springPid(port) == standby);
            e.awaitLog("Activated standby " + standby + " (index: 0) ACKed ");
            assertTrue(e.logText().contains("einhorn: standby activated as worker 0"), e.logText());
            awaitSlowly(e, "a new standby", () -> readyStandbyPids(e).size() == 1 && readyStandbyPids(e).get(0) != standby);
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    /** Up to 3 minutes (a Spring Boot first start trains an archive on a busy machine). */
    private static void awaitSlowly(EinhornUnderTest e, String what, Check check) throws Exception {
        long deadline = System.currentTimeMillis() + 180_000;
        while (true) {
            try {
                if (check.ok()) return;
            } catch (IOException | RuntimeException ignored) {
                // not yet
            }
            if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out waiting for " + what + "\n" + e.logText());
            EinhornUnderTest.sleep(250);
        }
    }

    @SuppressWarnings("unchecked")
    private static long ackedWorkers(EinhornUnderTest e) throws IOException {
        Map<String, Object> children = (Map<String, Object>) e.state().get("children");
        return children.values().stream().filter(c -> Boolean.TRUE.equals(((Map<String, Object>) c).get("acked"))).count();
    }

    private static List<Long> readyStandbyPids(EinhornUnderTest e) throws IOException {
        List<Long> pids = new ArrayList<>();
        e.workerPids();
        standbys(e).forEach((pid, s) -> {
            if ("standby".equals(s.get("state"))) pids.add(Long.parseLong(pid));
        });
        return pids;
    }

    /** GET /hello on the sample: the pid that answered. */
    private static long springPid(int port) throws IOException {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(30000);
            s.getOutputStream().write("GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"pid\":(\\d+)").matcher(response);
            assertTrue(m.find(), response);
            return Long.parseLong(m.group(1));
        }
    }

    // ------------------------------------------------------------------ the pool with standbys (sb.jar)

    @Test
    void incByThreeWithOneStandbyActivatesItAndEndsWithOneStandbyAgain() throws Exception {
        try (EinhornUnderTest e = start(Map.of(), "-n", "1", "-s", "0.2")) {
            e.awaitAckedWorkers(1);
            long standby = awaitReadyStandbys(e, 1).get(0);
            for (int i = 0; i < 3; i++) {
                assertTrue(e.command("{\"command\":\"inc\",\"id\":1}").get(0).startsWith("Incrementing number of workers"));
            }
            List<Long> workers = e.awaitAckedWorkers(4);
            assertTrue(workers.contains(standby), "the standby is one of the 4 workers: " + workers);
            e.awaitLog("===> Activated standby " + standby + " (index: 1)");
            List<Long> after = awaitReadyStandbys(e, 1);
            assertFalse(workers.contains(after.get(0)));
            List<Integer> indexes = new ArrayList<>();
            for (long p : workers) indexes.add(indexOf(e, p));
            indexes.sort(null);
            assertEquals(List.of(0, 1, 2, 3), indexes);
            answersIncludeIndex(e, standby, 1);
        }
    }

    @Test
    void aStandbyKilledWithSigkillIsReplaced() throws Exception {
        try (EinhornUnderTest e = start(Map.of(), "-n", "1")) {
            e.awaitAckedWorkers(1);
            long standby = awaitReadyStandbys(e, 1).get(0);
            EinhornUnderTest.signal(standby, "KILL");
            e.awaitLog("===> Exited standby " + standby + " while parked (killed by SIGKILL)");
            long next = awaitReadyStandbys(e, 1).get(0);
            assertNotEquals(standby, next);
            assertEquals(1, e.awaitAckedWorkers(1).size(), "the workers are untouched");
        }
    }

    @Test
    void aReloadThatKeepsTheArchiveKeepsItsStandbys() throws Exception {
        try (EinhornUnderTest e = start(Map.of(), "-n", "1")) {
            long worker = e.awaitAckedWorkers(1).get(0);
            long standby = awaitReadyStandbys(e, 1).get(0);
            e.reload();
            assertEquals(List.of(standby), awaitReadyStandbys(e, 1), "the same standby after the re-exec");
            EinhornUnderTest.signal(worker, "KILL");
            e.awaitTrue("the handed-over standby to be activated", () -> {
                try {
                    return e.workerPids().equals(List.of(standby));
                } catch (IOException ex) {
                    return false;
                }
            });
            e.awaitAckedWorkers(1);
            answersIncludeIndex(e, standby, 0);
            assertNotEquals(standby, awaitReadyStandbys(e, 1).get(0));
        }
    }

    @Test
    void anUpgradeUnderLoadSwapsWithNewStandbysLosesNothingAndKeepsOnlyNewVersionStandbys() throws Exception {
        Path version = Files.writeString(dir.resolve("version"), "0");
        try (EinhornUnderTest e = start(Map.of("VERSION_FILE", version.toString()), "-n", "2", "-s", "0.2")) {
            e.awaitAckedWorkers(2);
            awaitReadyStandbys(e, 1);
            int port = e.port(0);
            try (LoadClient load = new LoadClient(port, 3)) {
                for (int v = 1; v <= 2; v++) {
                    Files.writeString(version, Integer.toString(v));
                    load.epoch.set(v);
                    EinhornUnderTest.Result r = e.einhornsh("upgrade");
                    assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
                    assertTrue(r.stdout().endsWith("Upgrade done\n"), r.stdout());
                    e.awaitOnlyVersion(v);
                    int expected = v;
                    e.awaitTrue("only standbys of version " + v, () -> {
                        try {
                            Map<String, Map<String, Object>> s = standbys(e);
                            return s.size() == 1 && s.values().stream().allMatch(x -> ((Number) x.get("version")).intValue()
                                    == expected && "standby".equals(x.get("state")));
                        } catch (IOException ex) {
                            return false;
                        }
                    });
                    for (int i = 0; i < 10; i++) assertEquals(Integer.toString(v), EinhornUnderTest.ask(port).split(" ")[0]);
                }
                long before = load.requests.get();
                e.awaitTrue("more load after the last upgrade", () -> load.requests.get() > before + 50);
                load.close();
                assertEquals(List.of(), load.failures, "failed or reset connections");
                assertEquals(List.of(), load.unexpected, "answers from an unexpected version");
            }
            String log = e.logText();
            assertTrue(log.contains("Retiring standbys"), log);
            int activations = e.count("===> Activated standby ");
            assertTrue(activations >= 2, "upgrade steps used standbys: " + activations + "\n" + log);
        }
    }

    @Test
    void standbyZeroBehavesAsBefore() throws Exception {
        try (EinhornUnderTest e = start(Map.of(), "-n", "1", "--standby", "0")) {
            long worker = e.awaitAckedWorkers(1).get(0);
            EinhornUnderTest.signal(worker, "KILL");
            awaitOneWorkerOtherThan(e, worker, "a respawned worker");
            e.awaitAckedWorkers(1);
            assertEquals(Map.of(), e.state().get("standbys"));
            assertFalse(e.logText().contains("Launched standby"), e.logText());
            assertFalse(e.logText().contains("Activated standby"), e.logText());
        }
    }

    @Test
    void aStandbyThatCannotWarmUpIsReportedAndThePoolSpawnsInstead() throws Exception {
        try (EinhornUnderTest e = start(Map.of("SB_FAIL_WARMUP", "1"), "-n", "1", "-s", "0.1")) {
            long worker = e.awaitAckedWorkers(1).get(0);
            e.awaitLog("keep dying before they are ready (3 in a row; see the worker output for the warm-up's error)");
            assertTrue(e.logText().contains("warm-up refused"), "the app's error is in the output");
            EinhornUnderTest.signal(worker, "KILL");
            awaitOneWorkerOtherThan(e, worker, "a spawned replacement");
            e.awaitAckedWorkers(1);
            assertFalse(e.logText().contains("===> Activated standby"), e.logText());
        }
    }

    /**
     * A standby stopped while it still warms up exits at once: found with Spring Boot, whose shutdown hook waits for
     * the start-up that ends in the park, so the standby never exited and the stopping master waited for ever.
     */
    @Test
    void aStandbyStoppedWhileWarmingUpExitsAndTheMasterStops() throws Exception {
        try (EinhornUnderTest e = start(Map.of("SB_SLOW_WARMUP", "1"), "-n", "1")) {
            e.awaitAckedWorkers(1);
            e.awaitLog("sb: warming up slowly");
            List<Long> warming = new ArrayList<>();
            e.awaitTrue("a warming standby in state", () -> {
                try {
                    e.workerPids(); // remembers the standby, for close()
                    standbys(e).forEach((pid, s) -> {
                        if ("warming".equals(s.get("state"))) warming.add(Long.parseLong(pid));
                    });
                    return !warming.isEmpty();
                } catch (IOException ex) {
                    return false;
                }
            });
            e.signal("INT");
            assertEquals(0, e.awaitExit(), e.logText());
            e.awaitTrue("the standby is gone", () -> !EinhornUnderTest.alive(warming.get(0)));
        }
    }

    @Test
    void withoutPreloadStandbysAreRefusedWithAMessage() throws Exception {
        EinhornUnderTest.Result r = EinhornUnderTest.run(dir, "--standby", "2", "-b", "127.0.0.1:0", "true");
        assertEquals(1, r.exitCode());
        assertEquals("einhorn: --standby 2 needs -p: a standby is a preloaded worker JVM that waits warm; without -p"
                + " there is nothing to keep warm (use --standby 0 or -p)\n", r.stderr());
    }

    // ------------------------------------------------------------------ helpers

    private EinhornUnderTest start(Map<String, String> env, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-b", "127.0.0.1:0", "-m", "manual", "--preload-cache", cache.toString(),
                "-p", sbJar.toString(), sbJar.toString()));
        return EinhornUnderTest.start(dir, env, all.toArray(String[]::new));
    }

    /** The {@code standbys} of {@code state}, by pid. */
    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> standbys(EinhornUnderTest e) throws IOException {
        Object s = e.state().get("standbys");
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        if (s instanceof Map<?, ?> m) m.forEach((k, v) -> out.put(String.valueOf(k), (Map<String, Object>) v));
        return out;
    }

    /** Waits until exactly n standbys are listed, all ready (state standby); returns their pids. */
    static List<Long> awaitReadyStandbys(EinhornUnderTest e, int n) {
        List<Long> pids = new ArrayList<>();
        e.awaitTrue(n + " ready standbys", () -> {
            try {
                e.workerPids(); // remembers the standbys too, for close()
                Map<String, Map<String, Object>> s = standbys(e);
                if (s.size() != n || !s.values().stream().allMatch(x -> "standby".equals(x.get("state")))) return false;
                pids.clear();
                s.keySet().forEach(k -> pids.add(Long.parseLong(k)));
                return true;
            } catch (IOException ex) {
                return false;
            }
        });
        return pids;
    }

    @SuppressWarnings("unchecked")
    static int indexOf(EinhornUnderTest e, long pid) throws IOException {
        Map<String, Object> children = (Map<String, Object>) e.state().get("children");
        return ((Number) ((Map<String, Object>) children.get(Long.toString(pid))).get("index")).intValue();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> jsonState(EinhornUnderTest e) throws IOException {
        String json = e.command("{\"command\":\"state\",\"id\":1,\"args\":[\"--json\"]}").get(0);
        return (Map<String, Object>) new org.snakeyaml.engine.v2.api.Load(
                org.snakeyaml.engine.v2.api.LoadSettings.builder().build()).loadFromString(json);
    }

    /** The activated worker answers with the index the master gave it (Einhorn.childIndex() and the property). */
    private static void answersIncludeIndex(EinhornUnderTest e, long pid, int index) {
        e.awaitTrue("an answer from " + pid, () -> {
            try {
                return EinhornUnderTest.ask(e.port(0)).endsWith(" " + pid + " " + index + " " + index);
            } catch (IOException ex) {
                return false;
            }
        });
    }

    /** sb.jar: {@code einhornMain} answers "VERSION PID INDEX PROPERTY"; einhornPreload fails in a standby on request. */
    static Path standbyWorkerJar(Path dir) throws IOException {
        Path src = Files.createDirectories(dir.resolve("src"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        String code = """
                import dev.einhorn.runtime.Einhorn;
                import java.nio.ByteBuffer;
                import java.nio.channels.*;
                import java.nio.file.*;
                public class Sb {
                    public static void main(String[] args) throws Exception { einhornMain(args); }
                    public static void einhornMain(String[] args) throws Exception {
                        String file = System.getenv("VERSION_FILE");
                        String v = file == null ? "0" : Files.readString(Path.of(file)).trim();
                        ServerSocketChannel server = Einhorn.serverSocket(0);
                        Einhorn.onGracefulShutdown(() -> {
                            try { server.close(); } catch (Exception e) { }
                        });
                        byte[] answer = (v + " " + ProcessHandle.current().pid() + " " + Einhorn.childIndex().orElse(-1)
                                + " " + System.getProperty("einhorn.EINHORN_CHILD_INDEX", "-") + "\\n").getBytes();
                        Einhorn.ack();
                        while (server.isOpen()) {
                            try (SocketChannel c = server.accept()) {
                                c.write(ByteBuffer.wrap(answer));
                            } catch (ClosedChannelException e) {
                                break;
                            }
                        }
                    }
                    public static void einhornPreload() throws Exception {
                        boolean standby = System.getenv("EINHORN_STANDBY_FD") != null;
                        if (System.getenv("SB_FAIL_WARMUP") != null && standby) {
                            throw new IllegalStateException("warm-up refused");
                        }
                        if (System.getenv("SB_SLOW_WARMUP") != null && standby) {
                            // as Spring Boot's: a shutdown hook that waits for a start-up which never ends
                            Object startup = new Object();
                            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                                synchronized (startup) {
                                    try { startup.wait(); } catch (InterruptedException e) { }
                                }
                            }));
                            System.out.println("sb: warming up slowly");
                            Thread.sleep(600_000);
                        }
                    }
                }
                """;
        Files.writeString(src.resolve("Sb.java"), code);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, "--release", "17", "-cp", PreloadIT.RUNTIME.toString(), "-d",
                classes.toString(), src.resolve("Sb.java").toString()), "javac");
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "Sb");
        Path jar = dir.resolve("sb.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf);
                var list = Files.list(classes)) {
            for (Path c : list.sorted().toList()) {
                out.putNextEntry(new JarEntry(c.getFileName().toString()));
                out.write(Files.readAllBytes(c));
                out.closeEntry();
            }
        }
        return jar;
    }

    /** Waits until the pool's only worker is another one than {@code worker}. */
    private static void awaitOneWorkerOtherThan(EinhornUnderTest e, long worker, String what) {
        e.awaitTrue(what, () -> {
            try {
                List<Long> pids = e.workerPids();
                return pids.size() == 1 && pids.get(0) != worker;
            } catch (IOException ex) {
                return false;
            }
        });
    }
}
