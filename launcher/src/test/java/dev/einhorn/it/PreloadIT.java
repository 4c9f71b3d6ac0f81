package dev.einhorn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -p app.jar}: the master builds one archive per generation and its workers enter einhornMain from it
 * (JDK 17: dynamic AppCDS; JDK 25: AOT cache, selected with --java); a restart reuses it; every fallback
 * (not a jar, a Ruby file, a training run that fails or hangs, a corrupt cache file, several einhornMain, a
 * worker that rejects the archive) is logged and the workers still serve. One master per scenario, shared
 * by several assertions: no timing assertions.
 */
class PreloadIT {
    static final Path HELLO = EinhornUnderTest.REPO.resolve("sample-app/target/http-hello.jar");
    static final Path JDK25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
    static final Path RUNTIME = Path.of(System.getProperty("einhorn.runtime.jar", "target/lib/preload-runtime.jar"));

    @TempDir
    Path dir;

    // ------------------------------------------------------------------ http-hello on JDK 17 and 25

    @Test
    void jdk17HelloIsPreloadedOncePerGenerationReusedOnRestartAndRebuiltWhenTheCacheIsCorrupt() throws Exception {
        Path cache = dir.resolve("cache");
        String[] args = {"-b", "127.0.0.1:0", "-m", "manual", "--preload-cache", cache.toString(),
                "-p", HELLO.toString(), HELLO.toString()};
        Path archive = helloGeneration(cache, args, ".jsa", "AppCDS archive", "(JDK 17)");

        // a restart with the same jar reuses the archive: no training run
        Path second = Files.createDirectories(dir.resolve("second"));
        // no standbys: the worker `inc` adds below is spawned after the archive changed, not activated
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(second, prepend("-n", "1", prepend("--standby", "0", args)))) {
            List<Long> pids = einhorn.awaitAckedWorkers(1);
            assertTrue(einhorn.logText().contains("Reusing the preload archive " + archive), einhorn.logText());
            assertTrue(einhorn.logText().contains("(generation 1, JDK 17): no training run, the workers enter "
                    + "dev.einhorn.samples.hello.HttpHello.einhornMain"), einhorn.logText());
            assertFalse(einhorn.logText().contains("Preloading http-hello.jar"), einhorn.logText());
            assertMapped(einhorn, pids, archive);
            assertTrue(httpGet(einhorn.port(0)).startsWith("hello from " + pids.get(0)));

            // the archive written in place while the master runs: the next worker starts without it and serves
            // (a JVM mapping the changed archive could crash at boot, and so would every replacement)
            Files.write(archive, new byte[] {1, 2, 3, 4}, java.nio.file.StandardOpenOption.WRITE);
            einhorn.command("{\"command\":\"inc\",\"id\":1}");
            List<Long> both = einhorn.awaitAckedWorkers(2);
            einhorn.awaitLog("The preload archive " + archive + " was written since it was checked; workers start "
                    + "without it");
            long added = both.stream().filter(p -> !pids.contains(p)).findFirst().orElseThrow();
            assertFalse(Files.readString(Path.of("/proc/" + added + "/maps")).contains(archive.toString()),
                    "the new worker does not map the changed archive");
            assertTrue(httpGet(einhorn.port(0)).startsWith("hello from "));
        }

        // a corrupt cache file is discarded and rebuilt; the workers serve from the new one
        Path third = Files.createDirectories(dir.resolve("third"));
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(third, prepend("-n", "1", args))) {
            List<Long> pids = einhorn.awaitAckedWorkers(1);
            String log = einhorn.logText();
            assertTrue(log.contains("Discarding the corrupt preload archive " + archive + ": SHA-256 mismatch; "
                    + "building a new one"), log);
            assertEquals(1, count(log, "Preloading http-hello.jar: building"), log);
            assertMapped(einhorn, pids, archive);
            assertTrue(httpGet(einhorn.port(0)).startsWith("hello from " + pids.get(0)));
        }
    }

    @Test
    void jdk25HelloWithJvmOptionsIsPreloadedIntoAnAotCacheAndReused() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(JDK25), "JDK 25 at " + JDK25);
        Path cache = dir.resolve("cache");
        String[] args = {"-b", "127.0.0.1:0", "-m", "manual", "--java", JDK25.toString(), "--preload-cache",
                cache.toString(), "-p", HELLO.toString(), "java", "-Xmx64m", "-Xss512k", "-jar", HELLO.toString()};
        Path archive = helloGeneration(cache, args, ".aot", "AOT cache", "(JDK 25)");
        Path second = Files.createDirectories(dir.resolve("second"));
        // no standbys: the worker `inc` adds below is spawned after the archive changed, not activated
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(second, prepend("-n", "1", prepend("--standby", "0", args)))) {
            List<Long> pids = einhorn.awaitAckedWorkers(1);
            assertTrue(einhorn.logText().contains("Reusing the preload archive " + archive), einhorn.logText());
            assertFalse(einhorn.logText().contains("Preloading http-hello.jar"), einhorn.logText());
            assertMapped(einhorn, pids, archive);
            assertTrue(httpGet(einhorn.port(0)).startsWith("hello from " + pids.get(0)));
        }
    }

    /** One master, 3 workers then a 4th (TTIN): one training run; every worker entered einhornMain and maps it. */
    @SuppressWarnings("unchecked")
    private Path helloGeneration(Path cache, String[] args, String ext, String kind, String jdk) throws Exception {
        Path first = Files.createDirectories(dir.resolve("first"));
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(first, prepend("-n", "3", args))) {
            List<Long> pids = einhorn.awaitAckedWorkers(3);
            String log = einhorn.logText();
            assertTrue(log.contains("Preloading http-hello.jar: building the " + kind + " for generation 1 " + jdk),
                    log);
            Matcher m = Pattern.compile("Preloaded http-hello.jar in [0-9.]+s: (\\S+) \\(([0-9.]+) MB\\)").matcher(log);
            assertTrue(m.find(), log);
            Path archive = Path.of(m.group(1));
            assertTrue(archive.toString().endsWith(ext) && archive.startsWith(cache.toRealPath()), archive.toString());
            assertTrue(log.contains("the workers enter dev.einhorn.samples.hello.HttpHello.einhornMain"), log);
            assertMapped(einhorn, pids, archive);
            Map<String, Object> state = einhorn.state();
            assertEquals(Boolean.TRUE, state.get("preloaded"));
            assertTrue(((List<Object>) state.get("cmd")).contains("einhornMain"), state.get("cmd").toString());

            int port = einhorn.port(0);
            List<String> answers = new ArrayList<>();
            for (int i = 0; i < 6; i++) answers.add(httpGet(port));
            for (String a : answers) {
                assertTrue(pids.stream().anyMatch(p -> a.startsWith("hello from " + p + " (worker ")), a);
            }

            einhorn.signal("TTIN");
            List<Long> four = einhorn.awaitAckedWorkers(4);
            assertMapped(einhorn, four, archive);
            assertEquals(1, count(einhorn.logText(), "Preloading http-hello.jar"), "one training run per generation");
            assertFalse(einhorn.logText().contains("did not map"), einhorn.logText());
            return archive;
        }
    }

    // ------------------------------------------------------------------ upgrades

    @Test
    void anUpgradeAfterChangingTheJarServesTheNewCodeFromANewArchive() throws Exception {
        Path jar = tinyJar("Tiny", true, "v1");
        Path cache = dir.resolve("cache");
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(Files.createDirectories(dir.resolve("up")), "-n", "2", "-m", "manual",
                "-b", "127.0.0.1:0", "--preload-cache", cache.toString(), "-p", jar.toString(), jar.toString())) {
            List<Long> old = einhorn.awaitAckedWorkers(2);
            Matcher first = Pattern.compile("Preloaded tiny.jar in [0-9.]+s: (\\S+) ").matcher(einhorn.logText());
            assertTrue(first.find(), einhorn.logText());
            Path oldArchive = Path.of(first.group(1));
            assertMapped(einhorn, old, oldArchive);
            assertTrue(ask(einhorn, 0).startsWith("v1 "));

            tinyJar("Tiny", true, "v2");
            EinhornUnderTest.Result r = einhorn.einhornsh("upgrade");
            assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
            // the new workers wait for the new archive, and the upgrade's progress says so
            assertTrue(r.stdout().contains("Waiting for the preload archive of the new generation"), r.stdout());
            assertTrue(r.stdout().contains("The preload archive is ready"), r.stdout());
            einhorn.awaitOnlyVersion(1);
            List<Long> fresh = einhorn.workerPids();
            assertTrue(fresh.stream().noneMatch(old::contains), "new workers");
            Matcher all = Pattern.compile("Preloaded tiny.jar in [0-9.]+s: (\\S+) ").matcher(einhorn.logText());
            assertTrue(all.find() && all.find(), "a second training run for the changed jar: " + einhorn.logText());
            Path newArchive = Path.of(all.group(1));
            assertFalse(newArchive.equals(oldArchive), "a new archive");
            assertMapped(einhorn, fresh, newArchive);
            for (int i = 0; i < 5; i++) assertTrue(ask(einhorn, 0).startsWith("v2 "), "the new code answers");
        }
    }

    // ------------------------------------------------------------------ fallbacks

    @Test
    void aPreloadThatIsNotAJarRunsTheCommandAsGiven() throws Exception {
        Path rb = Files.writeString(dir.resolve("app.rb"), "def einhorn_main; end\n");
        Path bogus = Files.writeString(dir.resolve("bogus.jar"), "this is not a zip file\n");
        for (Path pre : List.of(rb, bogus)) {
            Path d = Files.createDirectories(dir.resolve("run-" + pre.getFileName()));
            try (EinhornUnderTest einhorn = EinhornUnderTest.start(d, "-b", "127.0.0.1:0", "-m", "manual", "--preload-cache",
                    dir.resolve("cache").toString(), "-p", pre.toString(), "python3",
                    EinhornUnderTest.WORKERS.resolve("pid_server.py").toString())) {
                List<Long> pids = einhorn.awaitAckedWorkers(1);
                assertTrue(einhorn.logText().contains("Proceeding with postload -- could not load " + pre
                        + ": not a jar"), einhorn.logText());
                assertEquals(pids.get(0).toString(), EinhornUnderTest.ask(einhorn.port(0)));
                assertEquals(Boolean.FALSE, einhorn.state().get("preloaded"));
            }
        }
    }

    @Test
    void aTrainingRunThatFailsLeavesColdWorkersThatServe() throws Exception {
        Path jar = tinyJar("Tiny", true);
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(dir, Map.of("TINY_HALT", "1"), "-n", "2", "-b", "127.0.0.1:0",
                "-m", "manual", "--preload-cache", dir.resolve("cache").toString(), "-p", jar.toString(),
                jar.toString())) {
            List<Long> pids = einhorn.awaitAckedWorkers(2);
            String log = einhorn.logText();
            assertTrue(log.contains("Proceeding with postload -- could not build the preload archive for " + jar
                    + ": the training run failed (exit status 7)"), log);
            String answer = ask(einhorn, 0);
            assertTrue(pids.stream().anyMatch(p -> answer.equals("tiny " + p)), answer + " from one of " + pids);
            assertEquals(Boolean.FALSE, einhorn.state().get("preloaded"));
            assertTrue(((List<Object>) einhorn.state().get("cmd")).contains("einhornMain"));
        }
    }

    @Test
    void aHungTrainingRunIsStoppedAtItsTimeoutAndStillWritesTheArchive() throws Exception {
        Path jar = tinyJar("Tiny", true);
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(dir, Map.of("TINY_HANG", "1", "EINHORN_PRELOAD_TIMEOUT", "2"),
                "-b", "127.0.0.1:0", "-m", "manual", "--preload-cache", dir.resolve("cache").toString(),
                "-p", jar.toString(), jar.toString())) {
            List<Long> pids = einhorn.awaitAckedWorkers(1);
            String log = einhorn.logText();
            assertTrue(log.contains("is still running after 2s; stopping it (SIGTERM)"), log);
            assertTrue(log.contains("Preloaded tiny.jar in"), log);
            assertEquals("tiny " + pids.get(0), ask(einhorn, 0));
            assertMapped(einhorn, pids, null);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void severalEinhornMainsAreNamedAndTheMainClassRunsFromTheArchiveAndAWorkerThatRejectsItIsReported()
            throws Exception {
        Path jar = tinyJar("Tiny", false);
        // --standby 0: the TTIN below must start a new JVM (a standby started before the jar changed maps the archive)
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(dir, "-b", "127.0.0.1:0", "-m", "manual", "--standby", "0",
                "--preload-cache", dir.resolve("cache").toString(), "-p", jar.toString(), jar.toString())) {
            List<Long> pids = einhorn.awaitAckedWorkers(1);
            String log = einhorn.logText();
            assertTrue(log.contains("Proceeding with postload -- loaded " + jar + ", but einhornMain is defined in "
                    + "several classes (Other, Tiny); name one with the manifest attribute Einhorn-Main: the workers "
                    + "run its Main-Class Tiny (from the archive)"), log);
            assertEquals("tiny " + pids.get(0), ask(einhorn, 0));
            assertMapped(einhorn, pids, null);

            // JDK 17 rejects a dynamic archive whose jar changed (mtime): the next worker starts cold, and we say so
            Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis() + 60_000));
            einhorn.signal("TTIN");
            List<Long> two = einhorn.awaitAckedWorkers(2);
            long cold = two.stream().filter(p -> !pids.contains(p)).findFirst().orElseThrow();
            einhorn.awaitLog("Worker " + cold + " did not map the preload archive");
            Map<String, Object> child = (Map<String, Object>) ((Map<String, Object>) einhorn.state().get("children"))
                    .get(Long.toString(cold));
            assertEquals(Boolean.FALSE, child.get("archive_mapped"), child.toString());
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Asserts that state shows each worker with the archive (or any archive, when null) mapped, and its memory. */
    @SuppressWarnings("unchecked")
    static void assertMapped(EinhornUnderTest einhorn, List<Long> pids, Path archive) throws IOException {
        Map<String, Object> children = (Map<String, Object>) einhorn.state().get("children");
        for (long pid : pids) {
            Map<String, Object> c = (Map<String, Object>) children.get(Long.toString(pid));
            assertTrue(c != null, "worker " + pid + " in " + children);
            if (archive != null) assertEquals(archive.toString(), c.get("archive"), c.toString());
            assertEquals(Boolean.TRUE, c.get("archive_mapped"), c.toString());
            assertTrue(((Number) c.get("pss_kb")).longValue() > 0, c.toString());
            assertTrue(((Number) c.get("shared_clean_kb")).longValue() > 0, c.toString());
            String maps = Files.readString(Path.of("/proc/" + pid + "/maps"));
            assertTrue(maps.contains(String.valueOf(c.get("archive"))), "the archive in /proc/" + pid + "/maps");
        }
    }

    static String ask(EinhornUnderTest einhorn, int i) {
        try {
            return EinhornUnderTest.ask(einhorn.port(i));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** GET / over HTTP/1.1 with Connection: close; returns the body. */
    static String httpGet(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10000);
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            return response.substring(response.indexOf("\r\n\r\n") + 4).trim();
        }
    }

    static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) n++;
        return n;
    }

    static String[] prepend(String a, String b, String[] rest) {
        String[] out = new String[rest.length + 2];
        out[0] = a;
        out[1] = b;
        System.arraycopy(rest, 0, out, 2, rest.length);
        return out;
    }

    /**
     * dir/tiny.jar: class Tiny answers "tiny PID" on EINHORN_FD_0 and acks; its einhornPreload exits 7 when
     * TINY_HALT is set, sleeps when TINY_HANG is (or when the file TINY_HANG_FILE names exists), and runs out of
     * heap when TINY_OOM is. Unless {@code single}, a second class Other also declares
     * einhornMain and the manifest names Main-Class Tiny (no Einhorn-Main).
     */
    Path tinyJar(String mainClass, boolean single) throws IOException {
        return tinyJar(mainClass, single, "tiny");
    }

    /** As {@link #tinyJar(String, boolean)}, answering "GREETING PID". */
    Path tinyJar(String mainClass, boolean single, String greeting) throws IOException {
        return tinyJar(dir, mainClass, single, greeting);
    }

    /** As {@link #tinyJar(String, boolean, String)}, built in {@code dir} as {@code dir/tiny.jar}. */
    static Path tinyJar(Path dir, String mainClass, boolean single, String greeting) throws IOException {
        Path src = Files.createDirectories(dir.resolve("src"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        String tiny = """
                import java.nio.channels.*;
                import java.nio.ByteBuffer;
                public class Tiny {
                    public static void main(String[] args) throws Exception { einhornMain(args); }
                    public static void einhornMain(String[] args) throws Exception {
                        ServerSocketChannel server = dev.einhorn.runtime.Einhorn.serverSocket(0);
                        dev.einhorn.runtime.Einhorn.ack();
                        byte[] answer = ("GREETING " + ProcessHandle.current().pid() + "\\n").getBytes();
                        while (true) {
                            try (SocketChannel c = server.accept()) { c.write(ByteBuffer.wrap(answer)); }
                        }
                    }
                    public static void einhornPreload() throws Exception {
                        String logMb = System.getenv("TINY_LOG_MB"); // a training run that logs a lot, then fails
                        if (logMb != null) {
                            java.io.PrintStream out = new java.io.PrintStream(
                                    new java.io.FileOutputStream(java.io.FileDescriptor.out), false);
                            String line = "x".repeat(1023);
                            for (int i = 0; i < Integer.parseInt(logMb) * 1024; i++) out.println(line);
                            out.println("the last line of a long log");
                            out.flush();
                            Runtime.getRuntime().halt(7);
                        }
                        if (System.getenv("TINY_HALT") != null) Runtime.getRuntime().halt(7);
                        if (System.getenv("TINY_HANG") != null) Thread.sleep(600_000);
                        String hangFile = System.getenv("TINY_HANG_FILE");
                        if (hangFile != null && new java.io.File(hangFile).exists()) Thread.sleep(600_000);
                        // an OutOfMemoryError at once, without taking the memory
                        if (System.getenv("TINY_OOM") != null) System.out.println(new long[Integer.MAX_VALUE].length);
                    }
                }
                """;
        Files.writeString(src.resolve("Tiny.java"), tiny.replace("GREETING", greeting));
        List<String> files = new ArrayList<>(List.of(src.resolve("Tiny.java").toString()));
        if (!single) {
            Files.writeString(src.resolve("Other.java"),
                    "public class Other { public static void einhornMain(String[] a) {} }\n");
            files.add(src.resolve("Other.java").toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> javacArgs = new ArrayList<>(List.of("--release", "17", "-cp", RUNTIME.toString(), "-d",
                classes.toString()));
        javacArgs.addAll(files);
        assertEquals(0, javac.run(null, null, null, javacArgs.toArray(String[]::new)), "javac");
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
        Path jar = dir.resolve("tiny.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf);
                Stream<Path> list = Files.list(classes)) {
            for (Path c : list.sorted().toList()) {
                out.putNextEntry(new JarEntry(c.getFileName().toString()));
                out.write(Files.readAllBytes(c));
                out.closeEntry();
            }
        }
        return jar;
    }
}
