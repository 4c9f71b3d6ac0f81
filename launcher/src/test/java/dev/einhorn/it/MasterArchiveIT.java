package dev.einhorn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The master's own class-data archive (bin/lib/jvm.sh): built by a background training run on first use, mapped
 * by every master start after that (the re-executed image too), and never a reason for the master to fail or to
 * print anything when it is missing, turned off, or broken.
 */
class MasterArchiveIT {
    private static final long ARCHIVE_WAIT_SECONDS = 180;

    @TempDir
    Path dir;

    /** The archive's path for this build and java, as bin/einhorn computes it. */
    private static Path archivePath() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", "source \"$1/bin/lib/jvm.sh\" && einhorn_archive_path", "_",
                EinhornUnderTest.REPO.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return Path.of(out);
    }

    /**
     * Starts bin/einhorn once (which starts the training if the archive is missing) and waits for the archive. A
     * training marked failed before this test (bin/lib/jvm.sh's {@code .failed}: earlier modules of a fresh build
     * run bin/einhorn while the reactor is still rebuilding the launcher's jars) gets one more run; a second
     * failure fails the test at once.
     */
    private static Path awaitArchive(Path dir) throws Exception {
        Path archive = archivePath();
        Path failed = archive.resolveSibling(archive.getFileName() + ".failed");
        for (int attempt = 1; ; attempt++) {
            assertEquals(0, EinhornUnderTest.run(dir, "--upgrade-check").exitCode());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ARCHIVE_WAIT_SECONDS);
            Path recorded = archive.resolveSibling(archive.getFileName() + ".stat"); // written once it is in place
            while (!(Files.isRegularFile(archive) && Files.isRegularFile(recorded)) && !Files.exists(failed)) {
                if (System.nanoTime() > deadline) throw new AssertionError("no archive at " + archive + " after the training");
                EinhornUnderTest.sleep(200);
            }
            if (Files.isRegularFile(archive)) return archive;
            if (attempt == 2) throw new AssertionError("the master archive's training failed twice: " + failed);
            Files.delete(failed);
        }
    }

    private static boolean maps(long pid, Path file) throws IOException {
        return Files.readString(Path.of("/proc/" + pid + "/maps")).contains(file.toString());
    }

    private EinhornUnderTest start(Map<String, String> env) throws IOException {
        return EinhornUnderTest.start(dir, env, "-n", "1", "-m", "manual", "-b", "127.0.0.1:0", "python3",
                EinhornUnderTest.WORKERS.resolve("pid_server.py").toString());
    }

    private static void assertNoArchiveNoise(EinhornUnderTest e) {
        String log = e.logText();
        assertFalse(log.contains("[warning]") || log.contains("[error]") || log.contains("cds") || log.contains("CDS"), log);
    }

    @Test
    void theMasterAndItsReexecutedImageMapTheArchive() throws Exception {
        Path archive = awaitArchive(dir);
        try (EinhornUnderTest e = start(Map.of())) {
            List<Long> workers = e.awaitAckedWorkers(1);
            assertTrue(maps(e.pid(), archive), "the master maps " + archive);
            e.reload();
            assertTrue(maps(e.pid(), archive), "the re-executed master maps " + archive);
            assertEquals(workers, e.workerPids());
            assertEquals(workers.get(0).toString(), EinhornUnderTest.ask(e.port(0)).trim());
            assertNoArchiveNoise(e);
        }
    }

    /**
     * The training makes its last image go through a reload up to a failing execve, so a master that reloads finds
     * that path's classes (the command, the reply and the hand-over's YAML, the re-exec, the libc binding) in the
     * archive instead of reading them from the jars.
     */
    @Test
    void aReloadTakesItsClassesFromTheArchive() throws Exception {
        awaitArchive(dir);
        try (EinhornUnderTest e = start(Map.of("EINHORN_JVM_OPTS", "-Xlog:class+load:stdout"))) {
            e.awaitAckedWorkers(1);
            e.reload();
            String log = e.logText();
            String first = "java.lang.Object source:"; // where an image starts loading classes
            int secondImage = log.indexOf(first, log.indexOf(first) + 1);
            assertTrue(secondImage > 0, "the re-executed image logged its classes too");
            List<String> notArchived = log.substring(0, secondImage).lines()
                    .filter(l -> l.matches(
                            ".*\\[class,load\\] (dev\\.einhorn\\.(commands|protocol|reexec|posix)\\.|com\\.kenai\\.jffi\\.).*"))
                    .filter(l -> !l.contains("source: shared objects file (top)"))
                    .filter(l -> !l.contains("PsychEmitter$RubyTimes")) // a state reply's times (the harness asks), not a reload's
                    .toList();
            assertEquals(List.of(), notArchived, "classes the reloading image loaded from elsewhere than the archive");
            // libc is reached through jffi alone: no image loads jnr-ffi, jnr-posix or jnr-constants
            assertEquals(List.of(), log.lines().filter(l -> l.contains("[class,load] jnr.")).toList());
        }
    }

    /**
     * JDK classes stay loaded for the life of an image, so the master keeps out those it needs for nothing: picocli's
     * converters for java.sql and java.time types (the first image; excluded by EinhornCli), and java.time's
     * formatter (the hand-over carries times as integers). docs/FOOTPRINT.md, sixth round.
     */
    @Test
    void noImageLoadsJavaSqlOrTheTimeFormatter() throws Exception {
        try (EinhornUnderTest e = start(Map.of("EINHORN_JVM_OPTS", "-Xlog:class+load:stdout"))) {
            e.awaitLog("Received a manual ACK"); // not awaitAckedWorkers: a state reply with its times may use the formatter
            e.reload();
            List<String> loaded = e.logText().lines()
                    .filter(l -> l.matches(".*\\[class,load\\] java\\.(sql\\.|time\\.format\\.).*")).toList();
            assertEquals(List.of(), loaded);
        }
    }

    @Test
    void turnedOffTheArchiveIsNotUsed() throws Exception {
        Path archive = awaitArchive(dir);
        try (EinhornUnderTest e = start(Map.of("EINHORN_MASTER_ARCHIVE", "off"))) {
            e.awaitAckedWorkers(1);
            assertFalse(maps(e.pid(), archive));
        }
    }

    @Test
    void aBrokenArchiveOnlyCostsSpeed() throws Exception {
        Path archive = awaitArchive(dir);
        Path garbage = archive.resolveSibling(archive.getFileName() + ".garbage");
        Files.write(garbage, new byte[] {'n', 'o', 't', ' ', 'a', 'n', ' ', 'a', 'r', 'c', 'h', 'i', 'v', 'e'});
        Files.move(garbage, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        try (EinhornUnderTest e = start(Map.of())) {
            List<Long> workers = e.awaitAckedWorkers(1);
            assertEquals(workers.get(0).toString(), EinhornUnderTest.ask(e.port(0)).trim());
            e.reload();
            assertEquals(workers, e.workerPids());
            assertNoArchiveNoise(e);
        } finally {
            Files.deleteIfExists(archive); // the next master start trains a good one again
        }
    }
}
