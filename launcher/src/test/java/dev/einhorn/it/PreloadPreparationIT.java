package dev.einhorn.it;

import static dev.einhorn.it.PreloadIT.ask;
import static dev.einhorn.it.PreloadIT.assertMapped;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * -p preparation off the master's loop, and the cache shared by several masters: the master answers while a
 * training run is going on, a training run that crashes or runs out of memory leaves a running master with cold
 * workers, two apps both named app.jar keep their archives, and two masters building one archive at once end
 * with one good file. Real masters, real JVM workers; no timing assertions.
 */
class PreloadPreparationIT {
    @TempDir
    Path dir;

    @Test
    void theMasterAnswersDuringATrainingRunAndATrainingRunThatCrashesLeavesColdWorkers() throws Exception {
        Path jar = PreloadIT.tinyJar(dir, "Tiny", true, "tiny");
        Path cache = dir.resolve("cache");
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(Files.createDirectories(dir.resolve("m")),
                Map.of("TINY_HANG", "1", "EINHORN_PRELOAD_TIMEOUT", "300"), "-n", "2", "-b", "127.0.0.1:0", "-m",
                "manual", "--preload-cache", cache.toString(), "-p", jar.toString(), jar.toString())) {
            einhorn.awaitLog("Preloading tiny.jar: building the AppCDS archive for generation 1");
            // the training run hangs in einhornPreload: the command socket still answers
            List<String> ehlo = einhorn.command("{\"command\":\"ehlo\",\"user\":\"test\",\"id\":1}");
            assertTrue(ehlo.get(0).contains("Welcome, test"), ehlo.toString());
            einhorn.awaitTrue("the training run's result", () -> {
                try (Stream<Path> s = Files.list(cache)) {
                    return s.anyMatch(p -> p.getFileName().toString().endsWith(".result"));
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            JsonNode preload = stateJson(einhorn).get("preload");
            assertTrue(preload.get("training").asBoolean(), preload.toString());
            assertFalse(preload.get("archive_ready").asBoolean(), preload.toString());
            assertEquals("plain", preload.get("layout").asText(), preload.toString());
            assertTrue(einhorn.workerPids().isEmpty(), "the first workers wait for the archive");
            long trainingPid = preload.get("training_pid").asLong();

            // a crash of the training JVM: the master carries on, its workers start cold and serve
            EinhornUnderTest.signal(trainingPid, "KILL");
            List<Long> pids = einhorn.awaitAckedWorkers(2);
            String log = einhorn.logText();
            assertTrue(log.contains("Proceeding with postload -- could not build the preload archive for " + jar
                    + ": the training run (killed by SIGKILL) wrote no archive"), log);
            String answer = ask(einhorn, 0);
            assertTrue(pids.stream().anyMatch(p -> answer.equals("tiny " + p)), answer);
            Map<String, Object> state = einhorn.state();
            assertEquals(Boolean.FALSE, state.get("preloaded"));
            assertTrue(((List<?>) state.get("cmd")).contains("einhornMain"), state.get("cmd").toString());
            assertFalse(stateJson(einhorn).get("preload").get("training").asBoolean());
            try (Stream<Path> s = Files.list(cache)) {
                assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".tmp")), "no temporary file left");
            }
        }
    }

    /**
     * A stop while the new archive is hashed (a child after the training run) kills that child, and the log names
     * it as what it is: it once said "Abandoned the preload training run PID" with the hashing child's pid.
     */
    @Test
    void aStopWhileTheNewArchiveIsHashedKillsTheHashingChildAndSaysSo() throws Exception {
        Path jar = PreloadIT.tinyJar(dir, "Tiny", true, "tiny");
        Path shims = Files.createDirectories(dir.resolve("shims"));
        Path hashing = dir.resolve("hashing");
        Path sha = shims.resolve("sha256sum");
        Files.writeString(sha, "#!/bin/sh\necho $$ > '" + hashing + "'\nexec sleep 120\n");
        sha.toFile().setExecutable(true);
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(Files.createDirectories(dir.resolve("m")),
                Map.of("PATH", shims + ":" + System.getenv("PATH")), "-b", "127.0.0.1:0", "-m", "manual",
                "--preload-cache", dir.resolve("cache").toString(), "-p", jar.toString(), jar.toString())) {
            einhorn.awaitTrue("the hashing child", () -> Files.exists(hashing));
            einhorn.awaitTrue("its pid", () -> {
                try {
                    return !Files.readString(hashing).isBlank();
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            long hashPid = Long.parseLong(Files.readString(hashing).trim());
            einhorn.signal("INT");
            assertEquals(0, einhorn.awaitExit(), einhorn.logText());
            assertTrue(einhorn.logText().contains("Abandoned the hashing of the new preload archive (" + hashPid + ")"),
                    einhorn.logText());
            assertFalse(EinhornUnderTest.alive(hashPid), "the hashing child is gone");
        }
    }

    @Test
    void anUpgradeWaitsForItsArchiveWithinTheUpgradeTimeoutAndFailsPastIt() throws Exception {
        Path jar = PreloadIT.tinyJar(dir, "Tiny", true, "v1");
        Path hang = dir.resolve("hang");
        Path cache = dir.resolve("cache");
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(Files.createDirectories(dir.resolve("m")),
                Map.of("TINY_HANG_FILE", hang.toString()), "-b", "127.0.0.1:0", "-m", "manual",
                "--upgrade-timeout", "3", "--preload-cache", cache.toString(), "-p", jar.toString(), jar.toString())) {
            List<Long> old = einhorn.awaitAckedWorkers(1);
            assertEquals("v1 " + old.get(0), ask(einhorn, 0));

            // the new jar's training run hangs: the upgrade waits for it, then gives up at --upgrade-timeout
            PreloadIT.tinyJar(dir, "Tiny", true, "v2");
            Files.writeString(hang, "");
            EinhornUnderTest.Result r = einhorn.einhornsh("upgrade");
            assertTrue(r.stdout().contains("Waiting for the preload archive of the new generation"), r.stdout());
            assertTrue(r.stdout().contains("Upgrade failed: the preload archive was not ready within the upgrade "
                    + "timeout (3.0s)"), r.stdout() + r.stderr());
            assertEquals(old, einhorn.workerPids(), "the old worker is untouched");
            assertEquals("v1 " + old.get(0), ask(einhorn, 0));
            JsonNode preload = stateJson(einhorn).get("preload");
            assertFalse(preload.get("training").asBoolean(), preload.toString());
            assertTrue(einhorn.logText().contains("Abandoned the preload training run"), einhorn.logText());
        }
    }

    @Test
    void anOutOfMemoryErrorInTrainingLeavesARunningMasterWithColdWorkers() throws Exception {
        Path jar = PreloadIT.tinyJar(dir, "Tiny", true, "tiny");
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(Files.createDirectories(dir.resolve("m")), Map.of("TINY_OOM", "1"),
                "-n", "2", "-b", "127.0.0.1:0", "-m", "manual", "--preload-cache", dir.resolve("cache").toString(),
                "-p", jar.toString(), jar.toString())) {
            List<Long> pids = einhorn.awaitAckedWorkers(2);
            String log = einhorn.logText();
            assertTrue(log.contains("Proceeding with postload -- could not build the preload archive for " + jar
                    + ": the training run failed (exit status 1)"), log);
            String trainingLog = Files.readString(Path.of(log.replaceAll("(?s).*\\(training log: (\\S+)\\).*", "$1")));
            assertTrue(trainingLog.contains("java.lang.OutOfMemoryError"), trainingLog);
            String answer = ask(einhorn, 0);
            assertTrue(pids.stream().anyMatch(p -> answer.equals("tiny " + p)), answer);
            assertEquals(Boolean.FALSE, einhorn.state().get("preloaded"));
        }
    }

    /**
     * The master reads the cache on its loop thread: a FIFO where it reads (the hash memo, a {@code .sum}) or
     * locks (a {@code .lock}) blocked its open(2) for good, the command socket unanswered. Such files are now
     * treated as bad ones.
     */
    @Test
    void aFifoInThePreloadCacheIsABadFileNotAStoppedMaster() throws Exception {
        Path jar = PreloadIT.tinyJar(dir, "Tiny", true, "tiny");
        Path cache = Files.createDirectories(dir.resolve("cache"));
        mkfifo(cache.resolve("file-hashes"));
        Path archive;
        try (EinhornUnderTest einhorn = start("m1", cache, jar)) {
            List<Long> pids = einhorn.awaitAckedWorkers(1);
            assertEquals("tiny " + pids.get(0), ask(einhorn, 0));
            archive = archiveOf(einhorn);
        }
        Path sum = archive.resolveSibling(archive.getFileName() + ".sum");
        Path lock = archive.resolveSibling(archive.getFileName() + ".lock");
        Files.delete(sum);
        mkfifo(sum);
        Files.deleteIfExists(lock);
        mkfifo(lock);
        try (EinhornUnderTest einhorn = start("m2", cache, jar)) {
            List<Long> pids = einhorn.awaitAckedWorkers(1);
            assertEquals("tiny " + pids.get(0), ask(einhorn, 0));
            assertTrue(einhorn.command("{\"command\":\"ehlo\",\"user\":\"t\",\"id\":1}").get(0).contains("Welcome"));
        }
    }

    /** Only the end of a training log is read for the failure's message: the whole of it filled the master's heap. */
    @Test
    void aTrainingRunThatLogsMoreThanTheMastersHeapFailsWithItsLastLine() throws Exception {
        Path jar = PreloadIT.tinyJar(dir, "Tiny", true, "tiny");
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(Files.createDirectories(dir.resolve("m")),
                Map.of("TINY_LOG_MB", "80"), "-n", "1", "-b", "127.0.0.1:0", "-m", "manual", "--standby", "0",
                "--preload-cache", dir.resolve("cache").toString(), "-p", jar.toString(), jar.toString())) {
            List<Long> pids = einhorn.awaitAckedWorkers(1);
            String log = einhorn.logText();
            assertTrue(log.contains("Proceeding with postload -- could not build the preload archive for " + jar
                    + ": the training run failed (exit status 7): the last line of a long log"), log);
            assertEquals("tiny " + pids.get(0), ask(einhorn, 0));
        }
    }

    /**
     * A cache the master cannot write: the training run could not even open its log there, and the master said
     * only that it "ended before it found the entry point". /proc/1 is a directory no one, root included, creates
     * files in (the same as a read-only mount, which a test cannot make without privileges).
     */
    @Test
    void anUnwritablePreloadCacheIsNamedInsteadOfATrainingRunThatCannotOpenItsLog() throws Exception {
        Path jar = PreloadIT.tinyJar(dir, "Tiny", true, "tiny");
        Path cache = Path.of("/proc/1");
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(Files.createDirectories(dir.resolve("m")), "-n", "1",
                "-b", "127.0.0.1:0", "-m", "manual", "--preload-cache", cache.toString(), "-p", jar.toString(),
                jar.toString())) {
            // cold: its Main-Class with the runtime on the class path (under java -jar this jar, built against the
            // runtime without bundling it, failed at its first call into it, and so did every replacement)
            List<Long> pids = einhorn.awaitAckedWorkers(1);
            assertTrue(einhorn.logText().contains("Proceeding with postload -- could not build the preload archive for "
                    + jar + ": the preload cache " + cache + " is not writable (a read-only file system, or not this "
                    + "user's); give --preload-cache a writable directory"), einhorn.logText());
            assertFalse(einhorn.logText().contains("training run"), einhorn.logText());
            assertEquals("tiny " + pids.get(0), ask(einhorn, 0));
            assertEquals(Boolean.FALSE, einhorn.state().get("preloaded"));
        }
    }

    private static void mkfifo(Path path) throws Exception {
        Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "mkfifo " + path);
    }

    @Test
    void twoAppsNamedAppJarSharingACacheKeepTheirArchivesWhileOnePrunesItsOwn() throws Exception {
        Path cache = dir.resolve("cache");
        Path a = appJar("a", "alpha");
        Path b = appJar("b", "beta1");
        try (EinhornUnderTest alpha = start("ma", cache, a); EinhornUnderTest beta = start("mb", cache, b)) {
            alpha.awaitAckedWorkers(1);
            beta.awaitAckedWorkers(1);
            Path alphaArchive = archiveOf(alpha);
            assertTrue(ask(alpha, 0).startsWith("alpha "));
            // three upgrades of b with a changed jar: four archives of b, of which it keeps 3
            int version = 0;
            for (String v : List.of("beta2", "beta3", "beta4")) {
                appJar("b", v);
                EinhornUnderTest.Result r = beta.einhornsh("upgrade");
                assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
                beta.awaitOnlyVersion(++version);
            }
            assertTrue(ask(beta, 0).startsWith("beta4 "));
            assertTrue(beta.logText().contains("Pruned the stale preload archive"), beta.logText());
            assertTrue(Files.isRegularFile(alphaArchive), "alpha's archive survives b's pruning");
            assertMapped(alpha, alpha.workerPids(), alphaArchive);
            String alphaApp = alphaArchive.getFileName().toString().replaceAll("-[0-9a-f]+\\.jsa$", "");
            try (Stream<Path> s = Files.list(cache)) {
                List<String> jsas = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jsa")).toList();
                assertEquals(4, jsas.size(), jsas.toString());
                assertEquals(1, jsas.stream().filter(n -> n.startsWith(alphaApp + "-")).count(), jsas.toString());
                assertTrue(jsas.stream().allMatch(n -> n.startsWith("app-")), jsas.toString());
            }
        }
    }

    @Test
    void twoMastersBuildingTheSameArchiveAtOnceEndWithOneGoodFile() throws Exception {
        Path cache = dir.resolve("cache");
        Path jar = appJar("shared", "same");
        try (EinhornUnderTest one = start("m1", cache, jar); EinhornUnderTest two = start("m2", cache, jar)) {
            List<Long> first = one.awaitAckedWorkers(1);
            List<Long> second = two.awaitAckedWorkers(1);
            Path archive = archiveOf(one);
            assertEquals(archive, archiveOf(two));
            try (Stream<Path> s = Files.list(cache)) {
                List<String> files = s.map(p -> p.getFileName().toString()).sorted().toList();
                assertEquals(1, files.stream().filter(n -> n.endsWith(".jsa")).count(), files.toString());
                assertTrue(files.stream().noneMatch(n -> n.contains(".tmp")), files.toString());
            }
            String sum = Files.readString(archive.resolveSibling(archive.getFileName() + ".sum"), StandardCharsets.UTF_8);
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(archive)));
            assertEquals(Files.size(archive) + " " + sha, sum.lines().findFirst().orElseThrow());
            assertMapped(one, first, archive);
            assertMapped(two, second, archive);
            assertEquals("same " + first.get(0), ask(one, 0));
            assertEquals("same " + second.get(0), ask(two, 0));
        }
    }

    private EinhornUnderTest start(String name, Path cache, Path jar) throws Exception {
        return EinhornUnderTest.start(Files.createDirectories(dir.resolve(name)), "-b", "127.0.0.1:0", "-m", "manual",
                "--preload-cache", cache.toString(), "-p", jar.toString(), jar.toString());
    }

    /** dir/NAME/app.jar answering "GREETING PID". */
    private Path appJar(String name, String greeting) throws Exception {
        Path d = Files.createDirectories(dir.resolve(name));
        Path tiny = PreloadIT.tinyJar(d, "Tiny", true, greeting);
        return Files.move(tiny, d.resolve("app.jar"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static Path archiveOf(EinhornUnderTest einhorn) throws Exception {
        JsonNode preload = stateJson(einhorn).get("preload");
        assertTrue(preload.get("archive_ready").asBoolean(), preload.toString());
        assertNotNull(preload.get("archive").textValue(), preload.toString());
        return Path.of(preload.get("archive").textValue());
    }

    static JsonNode stateJson(EinhornUnderTest einhorn) throws Exception {
        String json = einhorn.command("{\"command\":\"state\",\"id\":1,\"args\":[\"--json\"]}").get(0);
        JsonNode state = new ObjectMapper().readTree(json);
        java.util.Set<com.networknt.schema.ValidationMessage> errors = OpsIT.schema().validate(state);
        assertTrue(errors.isEmpty(), errors + "\n" + json);
        return state;
    }
}
