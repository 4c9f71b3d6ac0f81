package dev.einhorn.it;

import static dev.einhorn.it.PreloadIT.assertMapped;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -p} on an unmodified Spring Boot executable fat jar (sample-app/spring-hello, with the einhorn starter):
 * the master extracts it into the preload cache, trains with the app's real main (context refresh), and every
 * worker maps an archive of thousands of classes and serves HTTP on the einhorn-bound port, and on no port of
 * its own. A restart reuses the archive without a training run. Spring Boot starts take seconds here, so
 * these waits are long; still no timing assertions.
 */
class SpringBootPreloadIT {
    static final Path APP = EinhornUnderTest.REPO.resolve("sample-app/spring-hello/target/spring-hello.jar");
    static final long WAIT_MS = 300_000;

    @TempDir
    Path dir;

    @Test
    void jdk17FatJarServesFromEveryWorkerFromItsArchiveAndARestartReusesItWithoutTraining() throws Exception {
        Path cache = dir.resolve("cache");
        String[] args = {"-n", "2", "-b", "127.0.0.1:0", "-m", "manual", "--preload-cache", cache.toString(),
                "-p", APP.toString(), APP.toString()};
        Path archive;
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(Files.createDirectories(dir.resolve("first")), args)) {
            List<Long> pids = awaitAcked(einhorn, 2);
            String log = einhorn.logText();
            assertTrue(log.contains("Preloading spring-hello.jar: building the AppCDS archive for generation 1"), log);
            assertTrue(log.contains("Successfully loaded " + APP + ": the workers run its Spring Boot Start-Class "
                    + "dev.einhorn.samples.spring.SpringHelloApplication.main"), log);
            assertTrue(log.contains("Preloaded spring-hello.jar in "), log);
            archive = assertSpringArchive(einhorn, ".jsa");
            assertMapped(einhorn, pids, archive);
            assertServesOnlyOnTheEinhornPort(einhorn, pids);
            String training = Files.readString(archive.resolveSibling(archive.getFileName() + ".log"));
            assertTrue(training.contains("with spring.context.exit=onRefresh"), training);
        }
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(Files.createDirectories(dir.resolve("second")), args)) {
            List<Long> pids = awaitAcked(einhorn, 2);
            String log = einhorn.logText();
            assertTrue(log.contains("Reusing the preload archive " + archive), log);
            assertTrue(log.contains("no training run"), log);
            assertFalse(log.contains("Preloading spring-hello.jar"), log);
            assertMapped(einhorn, pids, archive);
            assertServesOnlyOnTheEinhornPort(einhorn, pids);
        }
    }

    @Test
    void jdk25FatJarInTheJavaJarFormMapsAnAotCache() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PreloadIT.JDK25), "JDK 25 at " + PreloadIT.JDK25);
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(dir, "-n", "2", "-b", "127.0.0.1:0", "-m", "manual", "--java",
                PreloadIT.JDK25.toString(), "--preload-cache", dir.resolve("cache").toString(), "-p", APP.toString(),
                "java", "-Xmx256m", "-jar", APP.toString())) {
            List<Long> pids = awaitAcked(einhorn, 2);
            assertTrue(einhorn.logText().contains("building the AOT cache for generation 1 (JDK 25)"), einhorn.logText());
            Path archive = assertSpringArchive(einhorn, ".aot");
            assertMapped(einhorn, pids, archive);
            assertServesOnlyOnTheEinhornPort(einhorn, pids);
            assertTrue(((List<?>) einhorn.state().get("cmd")).contains("-Xmx256m"), "the JVM options reach the workers");
        }
    }

    @Test
    void aFatJarWithoutSpringsJarmodeToolsIsExtractedByEinhorn() throws Exception {
        Path jar = dir.resolve("app.jar");
        copyWithout(APP, jar, "BOOT-INF/lib/spring-boot-jarmode-tools-");
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(Files.createDirectories(dir.resolve("m")), "-n", "1", "-b",
                "127.0.0.1:0", "-m", "manual", "--preload-cache", dir.resolve("cache").toString(), "-p",
                jar.toString(), jar.toString())) {
            List<Long> pids = awaitAcked(einhorn, 1);
            Path archive = assertSpringArchive(einhorn, ".jsa");
            String training = Files.readString(archive.resolveSibling(archive.getFileName() + ".log"));
            assertTrue(training.contains("extracting BOOT-INF ourselves"), training);
            assertMapped(einhorn, pids, archive);
            assertServesOnlyOnTheEinhornPort(einhorn, pids);
        }
    }

    @Test
    void aFatJarWithoutTheStarterIsNamedAndTheMasterKeepsAnswering() throws Exception {
        Path bare = dir.resolve("bare.jar");
        Path jar = dir.resolve("app.jar");
        copyWithout(APP, bare, "BOOT-INF/lib/einhorn-spring-boot-starter-");
        copyWithout(bare, jar, "BOOT-INF/lib/preload-runtime-");
        // such workers bind server.port themselves: keep them on loopback, on a port of their own
        Map<String, String> env = Map.of("SERVER_ADDRESS", "127.0.0.1", "SERVER_PORT", "0");
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(Files.createDirectories(dir.resolve("m")), env, "-n",
                "1", "-b", "127.0.0.1:0", "-m", "manual", "--preload-cache", dir.resolve("cache").toString(), "-p",
                jar.toString(), jar.toString())) {
            einhorn.awaitLog("app.jar bundles neither einhorn-spring-boot-starter nor preload-runtime (BOOT-INF/lib): "
                    + "its workers will bind server.port themselves instead of einhorn's sockets and never ACK");
            assertTrue(einhorn.state().containsKey("children"), "the master answers state");
        }
    }

    /** The preload object: a spring-boot layout whose ready archive holds thousands of classes. */
    private static Path assertSpringArchive(EinhornUnderTest einhorn, String ext) throws Exception {
        JsonNode preload = PreloadPreparationIT.stateJson(einhorn).get("preload");
        assertEquals("spring-boot", preload.get("layout").asText(), preload.toString());
        assertTrue(preload.get("archive_ready").asBoolean(), preload.toString());
        assertTrue(preload.get("classes_archived").asInt() > 5000, preload.toString());
        assertTrue(preload.get("classes_failed").asInt() < preload.get("classes_archived").asInt(), preload.toString());
        Path archive = Path.of(preload.get("archive").asText());
        assertTrue(archive.toString().endsWith(ext), archive.toString());
        assertEquals(Boolean.TRUE, einhorn.state().get("preloaded"));
        return archive;
    }

    /** GET /hello on the einhorn port reaches every worker; no worker listens on a TCP port of its own. */
    private static void assertServesOnlyOnTheEinhornPort(EinhornUnderTest einhorn, List<Long> pids) throws Exception {
        int port = einhorn.port(0);
        Set<Long> answered = new HashSet<>();
        for (int i = 0; i < 60 && answered.size() < pids.size(); i++) {
            JsonNode greeting = new ObjectMapper().readTree(httpGet(port, "/hello"));
            assertEquals("Hello, world!", greeting.get("message").asText(), greeting.toString());
            answered.add(greeting.get("pid").asLong());
        }
        assertEquals(Set.copyOf(pids), answered, "every worker answers on the einhorn port");
        Set<String> einhornSocket = listeningInodes(port);
        assertEquals(1, einhornSocket.size(), "the einhorn port listens once");
        for (long pid : pids) {
            Set<String> own = listeningInodes(-1);
            own.retainAll(socketInodes(pid));
            assertEquals(einhornSocket, own, "worker " + pid + " listens on the einhorn port only");
        }
    }

    /** Inodes of listening TCP sockets (on {@code port}, or on any port for -1), from /proc/net/tcp{,6}. */
    private static Set<String> listeningInodes(int port) throws IOException {
        Set<String> inodes = new HashSet<>();
        for (String f : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines = Files.readAllLines(Path.of(f)); // read once: the table changes all the time
            for (String line : lines.subList(1, lines.size())) {
                String[] c = line.trim().split("\\s+");
                int local = Integer.parseInt(c[1].substring(c[1].indexOf(':') + 1), 16);
                if (c[3].equals("0A") && (port < 0 || local == port)) inodes.add(c[9]);
            }
        }
        return inodes;
    }

    private static Set<String> socketInodes(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) inodes.add(target.substring(8, target.length() - 1));
                } catch (IOException ignored) {
                    // closed meanwhile
                }
            }
        }
        return inodes;
    }

    @SuppressWarnings("unchecked")
    private static List<Long> awaitAcked(EinhornUnderTest einhorn, int n) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            Map<String, Object> children = (Map<String, Object>) einhorn.state().get("children");
            if (children.size() == n && children.values().stream()
                    .allMatch(c -> Boolean.TRUE.equals(((Map<String, Object>) c).get("acked")))) {
                return einhorn.workerPids();
            }
            EinhornUnderTest.sleep(250);
        }
        throw new AssertionError("no " + n + " acked workers; log:\n" + einhorn.logText());
    }

    private static String httpGet(int port, String path) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(30000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            String body = response.substring(response.indexOf("\r\n\r\n") + 4);
            // chunked transfer: the JSON object is the line that starts with '{'
            return body.lines().filter(l -> l.startsWith("{")).findFirst().orElse(body);
        }
    }

    /** A copy of a fat jar without the entries whose name starts with {@code prefix}, stored entries kept stored. */
    private static void copyWithout(Path from, Path to, String prefix) throws IOException {
        try (ZipFile in = new ZipFile(from.toFile()); ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(to))) {
            for (Enumeration<? extends ZipEntry> e = in.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                if (entry.getName().startsWith(prefix)) continue;
                ZipEntry copy = new ZipEntry(entry);
                copy.setCompressedSize(-1);
                out.putNextEntry(copy);
                try (InputStream data = in.getInputStream(entry)) {
                    data.transferTo(out);
                }
                out.closeEntry();
            }
        }
    }
}
